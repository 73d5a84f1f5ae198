/* l_sys.h: the parts of the "mfakit.sys" module kept in files of their own
 * (l_sys.c makes the module; l_sys_secret.c handles secrets;
 * l_sys_limits.c the process's limits; l_sys_stdout.c moves standard
 * output aside). */
#ifndef MFAKIT_L_SYS_H
#define MFAKIT_L_SYS_H

#include <lauxlib.h>

/* The longest answer read_secret returns, in bytes; longer is SecretTooLong.
 * (A terminal in canonical mode takes at most 4095 bytes a line.) */
#define SYS_SECRET_MAX 2048

/* read_secret, no_core_dumps, dumpable */
extern const luaL_Reg sys_secret_functions[];

/* cpu_count, raise_nofile (l_sys_limits.c) */
extern const luaL_Reg sys_limit_functions[];

/* divert_stdout, restore_stdout (l_sys_stdout.c) */
extern const luaL_Reg sys_stdout_functions[];

#endif

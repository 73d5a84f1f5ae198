/* l_sys_stdout.c: moving standard output aside while `mfakit test` writes a
 * machine-readable report (TAP, JSON) there. Lua's print and io.stdout can
 * be pointed elsewhere from Lua, but a child process (a cmd: code source, a
 * script a test runs) inherits file descriptor 1 itself: only moving the
 * descriptor keeps what it prints out of the report. */
#include "host.h"
#include "l_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int stream_close(lua_State *L)
{
    luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
    int ok = fclose(p->f) == 0;
    return luaL_fileresult(L, ok, NULL);
}

/* divert_stdout() -> file: from now on descriptor 1 is a copy of descriptor
 * 2, so anything written to standard output, by this process or a child,
 * goes to standard error; the file returned writes to the real standard
 * output (its descriptor is closed in children). Or fail. */
static int sys_divert_stdout(lua_State *L)
{
    fflush(stdout);
    int real = fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (real < 0)
        return host_fail(L, "DivertFailed", "cannot copy standard output: %s", strerror(errno));
    luaL_Stream *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->closef = NULL; /* a handle being made is "closed" until it is whole */
    luaL_setmetatable(L, LUA_FILEHANDLE);
    p->f = fdopen(real, "w");
    if (!p->f || dup2(2, 1) < 0) {
        int e = errno;
        if (p->f)
            fclose(p->f);
        else
            close(real);
        p->f = NULL;
        return host_fail(L, "DivertFailed", "cannot move standard output aside: %s", strerror(e));
    }
    p->closef = stream_close;
    return 1;
}

/* restore_stdout(file): descriptor 1 is the real standard output again, and
 * the file from divert_stdout is closed. Returns true, or fail. */
static int sys_restore_stdout(lua_State *L)
{
    luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
    luaL_argcheck(L, p->closef == stream_close, 1, "a file from sys.divert_stdout expected");
    fflush(stdout);
    fflush(p->f);
    int ok = dup2(fileno(p->f), 1) >= 0;
    int e = errno;
    fclose(p->f);
    p->closef = NULL; /* closed: Lua's io library sees it so */
    if (!ok)
        return host_fail(L, "DivertFailed", "cannot put standard output back: %s", strerror(e));
    lua_pushboolean(L, 1);
    return 1;
}

const luaL_Reg sys_stdout_functions[] = {
    {"divert_stdout", sys_divert_stdout},
    {"restore_stdout", sys_restore_stdout},
    {NULL, NULL},
};

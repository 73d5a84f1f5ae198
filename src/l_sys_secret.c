/* l_sys_secret.c: the secret-handling half of the "mfakit.sys" module: a
 * terminal prompt without echo, and core dumps off while secrets are held.
 * l_sys.c adds these functions to the module's table. */
#include "host.h"
#include "l_sys.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>

/* read_secret(prompt): one line from the terminal with echo off; up to
 * SYS_SECRET_MAX bytes, else SecretTooLong (never a silently cut secret). */
static int sys_read_secret(lua_State *L)
{
    const char *prompt = luaL_optstring(L, 1, "");
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return host_fail(L, "NoTerminal", "no terminal to prompt on (%s)", strerror(errno));
    setvbuf(tty, NULL, _IONBF, 0); /* no stdio buffer left holding the typed secret */
    struct termios old, quiet;
    int fd = fileno(tty);
    int have_term = tcgetattr(fd, &old) == 0;
    fputs(prompt, tty);
    fflush(tty);
    if (have_term) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    char line[SYS_SECRET_MAX + 1];
    size_t len = 0;
    int c = EOF;
    int too_long = 0;
    while ((c = getc(tty)) != EOF && c != '\n') {
        if (len < SYS_SECRET_MAX)
            line[len++] = (char)c;
        else
            too_long = 1; /* read the rest of the line, so it is not left for the next read */
    }
    if (have_term)
        tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (too_long) {
        OPENSSL_cleanse(line, sizeof line);
        return host_fail(L, "SecretTooLong", "the answer is longer than %d bytes", SYS_SECRET_MAX);
    }
    if (c == EOF && len == 0) {
        OPENSSL_cleanse(line, sizeof line);
        return host_fail(L, "NoInput", "no answer at the prompt");
    }
    lua_pushlstring(L, line, len);
    OPENSSL_cleanse(line, sizeof line);
    return 1;
}

/* no_core_dumps(): from now on this process writes no core file (RLIMIT_CORE
 * soft limit 0, and not dumpable, which also keeps other processes of the
 * user from attaching to it). Returns true, or fail when the kernel refuses. */
static int sys_no_core_dumps(lua_State *L)
{
    static int done; /* once is enough: secrets.add calls this for every secret */
    if (done) {
        lua_pushboolean(L, 1);
        return 1;
    }
    /* the soft limit only: it is what stops a dump, and children may still
     * raise theirs (they hold none of our secrets) */
    struct rlimit rl;
    if (getrlimit(RLIMIT_CORE, &rl) != 0)
        return host_fail(L, "CoreLimitFailed", "getrlimit(RLIMIT_CORE): %s", strerror(errno));
    rl.rlim_cur = 0;
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        return host_fail(L, "CoreLimitFailed", "setrlimit(RLIMIT_CORE): %s", strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return host_fail(L, "CoreLimitFailed", "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
    done = 1;
    lua_pushboolean(L, 1);
    return 1;
}

/* dumpable() -> whether a crash could write a core file: the dumpable flag
 * is set and RLIMIT_CORE is not 0 (for tests and `mfakit doctor`). */
static int sys_dumpable(lua_State *L)
{
    struct rlimit rl;
    int flag = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    int limit = getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur != 0;
    lua_pushboolean(L, flag > 0 && limit);
    lua_pushboolean(L, flag > 0);
    lua_pushboolean(L, limit);
    return 3;
}

const luaL_Reg sys_secret_functions[] = {
    {"read_secret", sys_read_secret},
    {"no_core_dumps", sys_no_core_dumps},
    {"dumpable", sys_dumpable},
    {NULL, NULL},
};

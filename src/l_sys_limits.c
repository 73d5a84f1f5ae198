/* l_sys_limits.c: the process's resource limits, for `mfakit load`: how many
 * processors there are (--workers auto) and room for the sockets of many
 * sign-ins in flight (RLIMIT_NOFILE). */
#include "host.h"
#include "l_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* cpu_count() -> the processors online (at least 1) */
static int sys_cpu_count(lua_State *L)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    lua_pushinteger(L, n > 0 ? n : 1);
    return 1;
}

/* raise_nofile(want) -> soft, hard: raises the soft limit on open files to
 * `want` when it is lower, as far as the hard limit allows (an unprivileged
 * process may go up to it, never past it). Never lowers it. Returns the
 * limits in force afterwards, or fail. */
static int sys_raise_nofile(lua_State *L)
{
    lua_Integer want = luaL_checkinteger(L, 1);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return host_fail(L, "LimitFailed", "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
    if (want > 0 && (rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur < (rlim_t)want)) {
        rlim_t to = (rlim_t)want;
        if (rl.rlim_max != RLIM_INFINITY && to > rl.rlim_max)
            to = rl.rlim_max;
        struct rlimit next = {.rlim_cur = to, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &next) != 0)
            return host_fail(L, "LimitFailed", "setrlimit(RLIMIT_NOFILE, %lld): %s", (long long)to,
                             strerror(errno));
        rl = next;
    }
    lua_pushinteger(L, rl.rlim_cur == RLIM_INFINITY ? LUA_MAXINTEGER : (lua_Integer)rl.rlim_cur);
    lua_pushinteger(L, rl.rlim_max == RLIM_INFINITY ? LUA_MAXINTEGER : (lua_Integer)rl.rlim_max);
    return 2;
}

const luaL_Reg sys_limit_functions[] = {
    {"cpu_count", sys_cpu_count},
    {"raise_nofile", sys_raise_nofile},
    {NULL, NULL},
};

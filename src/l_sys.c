/* l_sys.c: the "mfakit.sys" module: the few operating-system services the
 * Lua library needs and Lua's standard library lacks (clocks, a terminal
 * prompt without echo, atomic file writes, child processes, signals). */
#include "host.h"
#include "child.h"
#include "l_sys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t last_signal;

static int sys_now(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    return 1;
}

static int sys_monotonic(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    return 1;
}

static int upvalue_string(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

/* Raises what a task's wait raises on a trapped signal: a table {signal =
 * "INT"} whose tostring is "interrupted by SIGINT" (the exit status follows). */
static int raise_signal(lua_State *L)
{
    const char *sig = last_signal == SIGINT ? "INT" : "TERM";
    lua_createtable(L, 0, 1);
    lua_pushstring(L, sig);
    lua_setfield(L, -2, "signal");
    lua_createtable(L, 0, 1);
    lua_pushfstring(L, "interrupted by SIG%s", sig);
    lua_pushcclosure(L, upvalue_string, 1);
    lua_setfield(L, -2, "__tostring");
    lua_setmetatable(L, -2);
    return lua_error(L);
}

static int sys_sleep(lua_State *L)
{
    double s = luaL_checknumber(L, 1);
    if (s > 0) {
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        int interrupted = 0;
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
            if (last_signal) {
                interrupted = 1;
                break;
            }
        }
        /* a trapped Ctrl-C or SIGTERM ends the script as it ends a task's
         * wait, so the clean-up runs and the exit status says why */
        if (interrupted)
            return raise_signal(L);
    }
    return 0;
}

/* setenv(name, value|nil): for tests and child processes */
static int sys_setenv(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int r = lua_isnoneornil(L, 2) ? unsetenv(name) : setenv(name, luaL_checkstring(L, 2), 1);
    if (r != 0)
        return host_fail(L, "SetenvFailed", "%s: %s", name, strerror(errno));
    lua_pushboolean(L, 1);
    return 1;
}

static int sys_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_optinteger(L, 1, 0)));
    return 1;
}

static int sys_getpid(lua_State *L)
{
    lua_pushinteger(L, getpid());
    return 1;
}

/* write_file_atomic(path, data, mode): temp file, fsync, rename, fsync dir,
 * so a reader sees the old or the new content, never a torn one. */
static int sys_write_file_atomic(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    mode_t mode = (mode_t)luaL_optinteger(L, 3, 0600);
    const char *tmp = lua_pushfstring(L, "%s.tmp.%d", path, (int)getpid());
    unlink(tmp); /* a stale temp file of ours; never follow a planted link */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return host_fail(L, "WriteFailed", "cannot write %s: %s", tmp, strerror(errno));
    fchmod(fd, mode);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return host_fail(L, "WriteFailed", "cannot write %s: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return host_fail(L, "WriteFailed", "cannot replace %s: %s", path, strerror(e));
    }
    const char *slash = strrchr(path, '/');
    const char *dir =
        slash ? lua_pushlstring(L, path, slash == path ? 1 : (size_t)(slash - path)) : ".";
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int sys_mkdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (mkdir(path, (mode_t)luaL_optinteger(L, 2, 0700)) != 0) {
        struct stat st;
        if (errno != EEXIST)
            return host_fail(L, "MkdirFailed", "cannot create %s: %s", path, strerror(errno));
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            return host_fail(L, "MkdirFailed", "cannot create %s: a file of that name exists",
                             path);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* stat(path) -> {size=, mtime=, mode=, type=} or nil, err */
static int sys_stat(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0)
        return host_fail(L, errno == ENOENT ? "NotFound" : "StatFailed", "%s: %s", path,
                         strerror(errno));
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)st.st_size);
    lua_setfield(L, -2, "size");
    lua_pushnumber(L, (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9);
    lua_setfield(L, -2, "mtime");
    lua_pushinteger(L, (lua_Integer)(st.st_mode & 07777));
    lua_setfield(L, -2, "mode");
    lua_pushstring(L, S_ISREG(st.st_mode)    ? "file"
                      : S_ISDIR(st.st_mode)  ? "directory"
                      : S_ISFIFO(st.st_mode) ? "fifo"
                                             : "other");
    lua_setfield(L, -2, "type");
    return 1;
}

extern char **environ;

/* Is the "NAME=value" entry's name one of the first n entries' names? */
static int named_in(char **envp, size_t n, const char *entry)
{
    size_t len = strcspn(entry, "=");
    for (size_t i = 0; i < n; i++) {
        if (strncmp(envp[i], entry, len) == 0 && envp[i][len] == '=')
            return 1;
    }
    return 0;
}

/* The child's environment, built before fork (in the child of a threaded
 * process only async-signal-safe calls are allowed, so no setenv there):
 * the `env` table's K=V first, then, with `keep`, only those variables (when
 * set), else every variable of ours that `env` does not override. The
 * array and its strings live in Lua objects left on the stack. */
static char **child_envp(lua_State *L, int env, int keep)
{
    size_t n_env = 0, n_own = 0;
    if (lua_istable(L, env)) {
        lua_pushnil(L);
        while (lua_next(L, env)) {
            n_env++;
            lua_pop(L, 1);
        }
    }
    if (lua_istable(L, keep))
        n_own = lua_rawlen(L, keep);
    else
        while (environ[n_own])
            n_own++;
    lua_newtable(L); /* anchors the K=V strings */
    int strs = lua_gettop(L);
    char **envp = (char **)lua_newuserdatauv(L, (n_env + n_own + 1) * sizeof *envp, 0);
    size_t k = 0;
    if (lua_istable(L, env)) {
        lua_pushnil(L);
        while (lua_next(L, env)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1)) {
                envp[k] =
                    (char *)lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), lua_tostring(L, -1));
                lua_rawseti(L, strs, (lua_Integer)k + 1);
                k++;
            }
            lua_pop(L, 1);
        }
    }
    size_t n_given = k;
    for (size_t i = 0; i < n_own; i++) {
        const char *entry = NULL;
        if (lua_istable(L, keep)) {
            lua_rawgeti(L, keep, (lua_Integer)i + 1);
            const char *name = luaL_checkstring(L, -1);
            const char *v = getenv(name);
            lua_pop(L, 1);
            if (v) {
                entry = lua_pushfstring(L, "%s=%s", name, v);
                lua_rawseti(L, strs, (lua_Integer)(n_env + i) + 1);
            }
        } else {
            entry = environ[i];
        }
        if (entry && !named_in(envp, n_given, entry))
            envp[k++] = (char *)entry;
    }
    envp[k] = NULL;
    return envp;
}

/* spawn{argv..., env = {K = V}, keep = {names}, stdout = path} -> pid
 * (stderr goes to the same file). With `keep`, the child starts from an
 * empty environment holding only those variables (when set) and `env`.
 * The child is put in its own process group so it can be stopped whole. */
static int sys_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int argc = (int)lua_rawlen(L, 1);
    luaL_argcheck(L, argc > 0 && argc < 64, 1, "spawn needs a program and at most 62 arguments");
    luaL_checkstack(L, argc + 8, "spawn");
    const char *argv[64];
    for (int i = 0; i < argc; i++) {
        lua_rawgeti(L, 1, i + 1);
        argv[i] = luaL_checkstring(L, -1);
    }
    argv[argc] = NULL;
    lua_getfield(L, 1, "stdout");
    const char *out = luaL_optstring(L, -1, "/dev/null");
    lua_getfield(L, 1, "env");
    int env = lua_gettop(L);
    lua_getfield(L, 1, "keep");
    int keep = lua_gettop(L);
    if (!lua_isnil(L, env))
        luaL_checktype(L, env, LUA_TTABLE);
    if (!lua_isnil(L, keep))
        luaL_checktype(L, keep, LUA_TTABLE);
    char **envp = child_envp(L, env, keep);
    pid_t pid = fork();
    if (pid < 0)
        return host_fail(L, "SpawnFailed", "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        /* if mfakit dies without its clean-up (os.exit, SIGKILL), so does the child */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        environ = envp; /* a plain store: setenv is not safe after fork */
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int devnull = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (devnull >= 0)
            dup2(devnull, 0);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    lua_pushinteger(L, pid);
    return 1;
}

/* run(argv, {unset = {names}, max_output = bytes}) -> output, status
 * (status: the exit status, or 128 + signal), or fail: SpawnFailed, and
 * OutputTooLarge beyond max_output (default 4096) bytes on stdout. argv[1]
 * is a path; stdin and stderr are inherited. Blocks until the child ends. */
static int sys_run(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int argc = (int)lua_rawlen(L, 1);
    luaL_argcheck(L, argc > 0 && argc < 64, 1, "run needs a program and at most 62 arguments");
    lua_settop(L, 2);
    luaL_checkstack(L, argc + 70, "run");
    const char *argv[64];
    for (int i = 0; i < argc; i++) {
        lua_rawgeti(L, 1, i + 1);
        argv[i] = luaL_checkstring(L, -1);
    }
    argv[argc] = NULL;
    const char *unset[64];
    size_t n_unset = 0;
    lua_Integer cap = 4096;
    if (!lua_isnil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if (lua_getfield(L, 2, "max_output") != LUA_TNIL)
            cap = luaL_checkinteger(L, -1);
        luaL_argcheck(L, cap > 0 && cap <= 16 * 1024 * 1024, 2, "max_output must be 1 to 16 MiB");
        if (lua_getfield(L, 2, "unset") != LUA_TNIL) {
            int t = lua_gettop(L);
            luaL_checktype(L, t, LUA_TTABLE);
            n_unset = lua_rawlen(L, t);
            luaL_argcheck(L, n_unset <= 64, 2, "at most 64 names to unset");
            for (size_t i = 0; i < n_unset; i++) {
                lua_rawgeti(L, t, (lua_Integer)i + 1);
                unset[i] = luaL_checkstring(L, -1);
            }
        }
    }
    char *buf = lua_newuserdatauv(L, (size_t)cap, 0); /* freed by the GC, even on error */
    size_t len;
    int status;
    char msg[256];
    enum child_result r =
        child_capture(argv, unset, n_unset, buf, (size_t)cap, &len, &status, msg, sizeof msg);
    if (r == CHILD_SPAWN_FAILED)
        return host_fail(L, "SpawnFailed", "%s: %s", argv[0], msg);
    if (r == CHILD_TOO_LARGE)
        return host_fail(L, "OutputTooLarge", "%s printed more than %d bytes", argv[0], (int)cap);
    lua_pushlstring(L, buf, len);
    lua_pushinteger(L, status);
    return 2;
}

/* kill(pid, signal_name): signals the child's whole process group. */
static int sys_kill(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    const char *names[] = {"TERM", "KILL", "INT", NULL};
    const int sigs[] = {SIGTERM, SIGKILL, SIGINT};
    int which = luaL_checkoption(L, 2, "TERM", names);
    luaL_argcheck(L, pid > 1, 1, "not a child process id");
    if (kill(-pid, sigs[which]) != 0 && kill(pid, sigs[which]) != 0)
        return host_fail(L, "KillFailed", "kill %d: %s", (int)pid, strerror(errno));
    lua_pushboolean(L, 1);
    return 1;
}

/* wait(pid, block) -> exited (boolean), status; a pid that is not (or no
 * longer) our child counts as exited, with status -1. */
static int sys_wait(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    int status = 0;
    pid_t r = waitpid(pid, &status, lua_toboolean(L, 2) ? 0 : WNOHANG);
    if (r == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, 1);
    lua_pushinteger(L, r < 0               ? -1
                       : WIFEXITED(status) ? WEXITSTATUS(status)
                                           : 128 + WTERMSIG(status));
    return 2;
}

/* free_port() -> a TCP port on 127.0.0.1 that was free a moment ago */
static int sys_free_port(lua_State *L)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return host_fail(L, "NoPort", "cannot find a free port: %s", strerror(e));
    }
    close(fd);
    lua_pushinteger(L, ntohs(a.sin_port));
    return 1;
}

/* A second signal while the first is being handled means "stop now": the
 * clean-up the first one started may be what hangs. */
static void on_signal(int sig)
{
    if (last_signal) {
        static const char msg[] = "mfakit: a second signal: ending at once, without cleaning up\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        struct sigaction dfl = {0};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, NULL);
        raise(sig);
        return;
    }
    last_signal = sig;
}

/* trap_signals(): from now on SIGINT/SIGTERM set a flag read by
 * pending_signal(), so cleanup code (stopping a child emulator) can run. A
 * second one ends the process at once, as if it had not been trapped. */
static int sys_trap_signals(lua_State *L)
{
    (void)L;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return 0;
}

static int sys_pending_signal(lua_State *L)
{
    if (!last_signal)
        return 0;
    lua_pushstring(L, last_signal == SIGINT ? "INT" : "TERM");
    return 1;
}

/* The running binary's own path, so that an installed mfakit finds its
 * scripts beside it (../share/mfakit) wherever it was unpacked. */
static int sys_exe_path(lua_State *L)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n < 0)
        return host_fail(L, "NoExePath", "cannot read /proc/self/exe: %s", strerror(errno));
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

static const luaL_Reg sys_functions[] = {
    {"exe_path", sys_exe_path},
    {"now", sys_now},
    {"monotonic", sys_monotonic},
    {"sleep", sys_sleep},
    {"isatty", sys_isatty},
    {"setenv", sys_setenv},
    {"getpid", sys_getpid},
    {"write_file_atomic", sys_write_file_atomic},
    {"mkdir", sys_mkdir},
    {"stat", sys_stat},
    {"spawn", sys_spawn},
    {"run", sys_run},
    {"kill", sys_kill},
    {"wait", sys_wait},
    {"free_port", sys_free_port},
    {"trap_signals", sys_trap_signals},
    {"pending_signal", sys_pending_signal},
    {NULL, NULL},
};

int luaopen_mfakit_sys(lua_State *L)
{
    luaL_newlib(L, sys_functions);
    luaL_setfuncs(L, sys_secret_functions, 0);
    luaL_setfuncs(L, sys_limit_functions, 0);
    luaL_setfuncs(L, sys_stdout_functions, 0);
    lua_pushliteral(L, MFAKIT_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushliteral(L, LUA_RELEASE);
    lua_setfield(L, -2, "lua_version");
    return 1;
}

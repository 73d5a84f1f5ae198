/* l_fs.c: the "mfakit.fs" module: reading a file that may have been planted
 * or damaged (only a regular file, never through a link, with a size cap)
 * and an exclusive lock on a file that the kernel drops when the holder
 * dies. The guide's state file and its lock use these. */
#include "host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_MT "mfakit.fs.lock"
#define NOTE_MAX 512

static const char *errno_code(int e)
{
    switch (e) {
    case ENOENT:
        return "NotFound";
    case EACCES:
    case EPERM:
        return "PermissionDenied";
    case ELOOP:
        return "NotRegularFile"; /* O_NOFOLLOW met a symbolic link */
    default:
        return "ReadFailed";
    }
}

/* read_regular(path, max) -> text | nil, err. Opened without following a
 * link and without blocking (a FIFO would otherwise hang the open), then
 * fstat'ed: only a regular file of at most `max` bytes is read. */
static int fs_read_regular(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer max = luaL_checkinteger(L, 2);
    luaL_argcheck(L, max >= 0, 2, "size cap must be >= 0");
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return host_fail(L, errno_code(e), "%s: %s", path,
                         e == ELOOP ? "is a symbolic link" : strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return host_fail(L, "ReadFailed", "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return host_fail(L, "NotRegularFile", "%s is not a regular file", path);
    }
    if ((lua_Integer)st.st_size > max) {
        close(fd);
        return host_fail(L, "FileTooLarge", "%s is %I bytes, more than the %I allowed", path,
                         (lua_Integer)st.st_size, max);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t total = 0;
    for (;;) {
        char *p = luaL_prepbuffer(&b);
        ssize_t n = read(fd, p, LUAL_BUFFERSIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return host_fail(L, "ReadFailed", "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        total += (size_t)n;
        if (total > (size_t)max) { /* it grew while we read */
            close(fd);
            return host_fail(L, "FileTooLarge", "%s grew past the %I bytes allowed", path, max);
        }
        luaL_addsize(&b, (size_t)n);
    }
    close(fd);
    luaL_pushresult(&b);
    return 1;
}

/* kind(path) -> "file" | "directory" | "link" | "fifo" | "device" | "socket"
 * | "other" | nil, err: what is at path itself (lstat: a link is a link). */
static int fs_kind(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (lstat(path, &st) != 0) {
        int e = errno;
        return host_fail(L, errno_code(e), "%s: %s", path, strerror(e));
    }
    lua_pushstring(L, S_ISREG(st.st_mode)                          ? "file"
                      : S_ISDIR(st.st_mode)                        ? "directory"
                      : S_ISLNK(st.st_mode)                        ? "link"
                      : S_ISFIFO(st.st_mode)                       ? "fifo"
                      : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device"
                      : S_ISSOCK(st.st_mode)                       ? "socket"
                                                                   : "other");
    return 1;
}

static int *lock_fd(lua_State *L)
{
    return (int *)luaL_checkudata(L, 1, LOCK_MT);
}

/* try_lock(path, note) -> lock | nil, err. Takes flock(LOCK_EX) at once or
 * fails with code "Locked" and the holder's note in err.holder. The note
 * (who holds it) is written into the lock file for the next one to read.
 * The descriptor is close-on-exec, so no child keeps the lock alive. */
static int lock_open(lua_State *L, const char *path);
static int lock_taken(lua_State *L, int *ud, int fd, const char *path, const char *note,
                      size_t note_len);

static int fs_try_lock(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t note_len;
    const char *note = luaL_optlstring(L, 2, "", &note_len);
    if (note_len > NOTE_MAX)
        note_len = NOTE_MAX;
    int *ud = (int *)lua_newuserdatauv(L, sizeof(int), 0);
    *ud = -1;
    luaL_setmetatable(L, LOCK_MT);
    /* The holder may remove the file (down removes its lock) between our
     * open and our flock: then we locked a file nobody else will see, and
     * open it again (the new file, or nothing). */
    for (int attempt = 0;; attempt++) {
        int fd = lock_open(L, path);
        if (fd == -2)
            return 2; /* lock_open pushed the failure */
        if (fd >= 0 || attempt == 2)
            return lock_taken(L, ud, fd, path, note, note_len);
    }
}

/* Opens and flocks path: the fd, -1 when the file was replaced meanwhile,
 * or -2 with nil, err pushed. */
static int lock_open(lua_State *L, const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        host_fail(L, errno_code(e), "cannot open the lock %s: %s", path,
                  e == ELOOP ? "is a symbolic link" : strerror(e));
        return -2;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        host_fail(L, "NotRegularFile", "the lock %s is not a regular file", path);
        return -2;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[NOTE_MAX + 1];
        ssize_t n = pread(fd, holder, NOTE_MAX, 0);
        close(fd);
        if (e != EWOULDBLOCK) {
            host_fail(L, "LockFailed", "cannot lock %s: %s", path, strerror(e));
            return -2;
        }
        holder[n > 0 ? n : 0] = '\0';
        host_fail(L, "Locked", "%s is locked", path);
        lua_pushstring(L, holder);
        lua_setfield(L, -2, "holder");
        return -2;
    }
    struct stat now;
    if (stat(path, &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
        close(fd);
        return -1;
    }
    return fd;
}

static int lock_taken(lua_State *L, int *ud, int fd, const char *path, const char *note,
                      size_t note_len)
{
    if (fd < 0) {
        host_fail(L, "Locked", "%s keeps being removed and made again by another mfakit", path);
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "holder");
        return 2;
    }
    *ud = fd;
    if (ftruncate(fd, 0) == 0 && note_len > 0 && pwrite(fd, note, note_len, 0) < 0) {
        /* the note only helps the next writer say who waits on whom */
    }
    return 1;
}

static int lock_release(lua_State *L)
{
    int *fd = lock_fd(L);
    if (*fd >= 0) {
        if (ftruncate(*fd, 0) != 0) {
            /* a stale note is harmless: it is only read by a refused writer */
        }
        close(*fd); /* closing drops the flock */
        *fd = -1;
    }
    return 0;
}

static int lock_held(lua_State *L)
{
    lua_pushboolean(L, *lock_fd(L) >= 0);
    return 1;
}

static const luaL_Reg lock_methods[] = {
    {"release", lock_release},
    {"held", lock_held},
    {NULL, NULL},
};

/* list(dir) -> { names, sorted } | nil, err: the entries of a directory
 * (not . and ..), for finding the shipped scripts and the stacks' state
 * files. Sorted, so that what is listed reads the same on every run. */
static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int fs_list(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d)
        return host_fail(L, errno_code(errno), "cannot list %s: %s", path, strerror(errno));
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            char **more = realloc(names, 2 * cap * sizeof *names);
            if (!more)
                break;
            names = more;
            cap *= 2;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (!names)
        return luaL_error(L, "out of memory");
    qsort(names, n, sizeof *names, name_cmp);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        free(names[i]);
    }
    free(names);
    return 1;
}

static const luaL_Reg fs_functions[] = {
    {"list", fs_list}, {"read_regular", fs_read_regular},
    {"kind", fs_kind}, {"try_lock", fs_try_lock},
    {NULL, NULL},
};

int luaopen_mfakit_fs(lua_State *L)
{
    luaL_newmetatable(L, LOCK_MT);
    luaL_newlib(L, lock_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lock_release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, lock_release);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    luaL_newlib(L, fs_functions);
    return 1;
}

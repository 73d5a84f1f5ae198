/* child.c: run a command and capture its stdout, bounded (see child.h).
 * A code source that never stops printing (`yes`) must not eat all memory:
 * beyond the cap the pipe is closed and the child killed. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_child(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

extern char **environ;

static int withheld(const char *entry, const char *const unset[], size_t n_unset)
{
    for (size_t i = 0; i < n_unset; i++) {
        size_t n = strlen(unset[i]);
        if (strncmp(entry, unset[i], n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

/* The environment minus the withheld names, built before fork: the child
 * of a threaded process may only make async-signal-safe calls. */
static char **child_env(const char *const unset[], size_t n_unset)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!withheld(environ[i], unset, n_unset))
            env[k++] = environ[i];
    }
    return env;
}

enum child_result child_capture(const char *const argv[], const char *const unset[], size_t n_unset,
                                char *buf, size_t cap, size_t *len, int *status, char *msg,
                                size_t msg_len)
{
    int fds[2];
    *len = 0;
    *status = -1;
    if (pipe(fds) != 0) {
        snprintf(msg, msg_len, "pipe: %s", strerror(errno));
        return CHILD_SPAWN_FAILED;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* dup2 onto 1 clears it there */
    char **env = child_env(unset, n_unset);
    pid_t pid = env ? fork() : -1;
    if (pid < 0) {
        snprintf(msg, msg_len, "fork: %s", env ? strerror(errno) : "out of memory");
        free(env);
        close(fds[0]);
        close(fds[1]);
        return CHILD_SPAWN_FAILED;
    }
    if (pid == 0) {
        if (dup2(fds[1], 1) < 0)
            _exit(127);
        execve(argv[0], (char *const *)argv, env);
        _exit(127);
    }
    free(env);
    close(fds[1]);
    enum child_result result = CHILD_OK;
    for (;;) {
        char extra;
        char *to = *len < cap ? buf + *len : &extra;
        size_t room = *len < cap ? cap - *len : 1;
        ssize_t n = read(fds[0], to, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (*len >= cap) {
            result = CHILD_TOO_LARGE;
            break;
        }
        *len += (size_t)n;
    }
    close(fds[0]); /* a writer still going gets SIGPIPE */
    if (result == CHILD_TOO_LARGE)
        kill(pid, SIGKILL);
    *status = wait_child(pid);
    return result;
}

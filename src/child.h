/* child.h: run a command and capture what it prints, with a cap on the
 * output and chosen environment variables withheld. This core knows
 * nothing of Lua. */
#ifndef MFAKIT_CHILD_H
#define MFAKIT_CHILD_H

#include <stddef.h>

enum child_result {
    CHILD_OK = 0,
    CHILD_SPAWN_FAILED = -1, /* pipe/fork failed, or the program could not run */
    CHILD_TOO_LARGE = 1,     /* more than `cap` bytes on stdout: the child is killed */
};

/* Runs the program at path argv[0] (not searched in PATH) with argv, stdin and stderr inherited,
 * and the environment minus the `n_unset` variables named in `unset`.
 * Its stdout goes to `buf` (`cap` bytes; *len is set to what arrived).
 * *status is the exit status, or 128 + the signal that ended it.
 * On CHILD_SPAWN_FAILED, `msg` (msg_len bytes) says why. */
enum child_result child_capture(const char *const argv[], const char *const unset[], size_t n_unset,
                                char *buf, size_t cap, size_t *len, int *status, char *msg,
                                size_t msg_len);

#endif

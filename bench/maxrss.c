/* bench/maxrss.c: peak resident set size of a command, for hosts without
 * GNU time (/usr/bin/time -v reads the same figure, the child's ru_maxrss
 * from wait4, so the two agree).
 *
 *   maxrss COMMAND [ARGS...]
 *
 * Runs COMMAND with its standard streams as they are, then writes
 * "maxrss_kib=N status=S" to standard error. Exits with COMMAND's status. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: maxrss COMMAND [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("maxrss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("maxrss: exec");
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("maxrss: wait4");
        return 2;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "maxrss_kib=%ld status=%d\n", ru.ru_maxrss, code);
    return code;
}

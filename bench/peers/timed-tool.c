/* A stand-in for one external tool (useradd, chpasswd, ssh-keygen, ...) in the benchmark's
 * scratch root: runs the real tool with the same arguments, standard streams and
 * environment, waits for it, appends "NAME START END" (CLOCK_MONOTONIC seconds, nanosecond
 * resolution) to LOG, and exits with the tool's status. Built by bench/peers.sh with
 * -DNAME -DREAL -DLOG. Its own start-up (exec of this small C program, well under a
 * millisecond) falls outside the window, so it counts as guest-agent's own time. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    (void)argc;
    double start = now();
    pid_t pid = fork();
    if (pid == 0) {
        argv[0] = REAL;
        execv(REAL, argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return 127;
    double end = now();
    FILE *log = fopen(LOG, "a");
    if (log) {
        fprintf(log, "%s %.6f %.6f\n", NAME, start, end);
        fclose(log);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

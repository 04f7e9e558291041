/* The floor of a request/response over a Unix socket between two processes:
 * a plain blocking 16-byte write, then a blocking 16-byte read, in a loop.
 * What any protocol on this socket pays before doing anything (on a loaded
 * 2-core VM, waking the blocked peer dominates).
 *   unix_rtt [iterations]   prints: floor p50_us=… p99_us=… qps=…        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int full(int fd, char *buf, int n, int writing) {
    int done = 0;
    while (done < n) {
        ssize_t r = writing ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
        if (r <= 0) return -1;
        done += (int)r;
    }
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 50000, warm = 2000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
    pid_t child = fork();
    char buf[16] = {0};
    if (child == 0) {
        close(sv[0]);
        while (full(sv[1], buf, 16, 0) == 0 && full(sv[1], buf, 16, 1) == 0) {}
        _exit(0);
    }
    close(sv[1]);
    double *t = malloc(sizeof(double) * n);
    double start = 0;
    for (int i = 0; i < n + warm; i++) {
        if (i == warm) start = now_us();
        double s = now_us();
        if (full(sv[0], buf, 16, 1) || full(sv[0], buf, 16, 0)) { fprintf(stderr, "peer gone\n"); return 1; }
        if (i >= warm) t[i - warm] = now_us() - s;
    }
    double total = now_us() - start;
    close(sv[0]);
    waitpid(child, NULL, 0);
    qsort(t, n, sizeof(double), cmp);
    printf("floor p50_us=%.2f p99_us=%.2f qps=%.0f\n", t[n / 2], t[(int)(n * 0.99)], n / (total / 1e6));
    return 0;
}

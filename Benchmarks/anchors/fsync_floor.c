// The fsync floor for `appendfsync always`: a loop of 1.5 kB write + fdatasync
// on one file, as fast as the disk allows. Usage: fsync_floor FILE [COUNT]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: fsync_floor FILE [COUNT]\n"); return 2; }
    int count = argc > 2 ? atoi(argv[2]) : 2000;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0) { perror("open"); return 1; }
    char buf[1536];
    memset(buf, 7, sizeof buf);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < count; i++) {
        if (write(fd, buf, sizeof buf) != sizeof buf) { perror("write"); return 1; }
        if (fdatasync(fd) != 0) { perror("fdatasync"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("{\"appends_per_second\": %.0f, \"count\": %d, \"seconds\": %.3f}\n", count / s, count, s);
    close(fd);
    unlink(argv[1]);
    return 0;
}

#define _GNU_SOURCE
#include "snapshot_child.h"
#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
#define LD_HAVE_FORK_AND_CLOSE_RANGE 1  // _Fork and close_range came in glibc 2.34
#endif
#endif

#ifdef LD_HAVE_FORK_AND_CLOSE_RANGE
/// close_range over [first, last] when that is not empty; 0 on success.
static int close_between(unsigned first, unsigned last) {
    return first > last ? 0 : close_range(first, last, 0);
}
#endif

/// Closes every descriptor but `keep_a` and `keep_b` (and 0–2).
static void close_others(int keep_a, int keep_b) {
    int lo = keep_a < keep_b ? keep_a : keep_b;
    int hi = keep_a < keep_b ? keep_b : keep_a;
#ifdef LD_HAVE_FORK_AND_CLOSE_RANGE
    if (close_between(3, (unsigned)lo - 1) == 0 && close_between((unsigned)lo + 1, (unsigned)hi - 1) == 0 &&
        close_between((unsigned)hi + 1, ~0u) == 0) {
        return;
    }
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 1 << 20) max = 1 << 20;
    for (int d = 3; d < max; d++) {
        if (d != keep_a && d != keep_b) close(d);
    }
}

/// Writes all of `len` bytes to the pipe; 0 on success.
static int write_fully(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/// The child's whole life: write the spans, report, exit. Never returns.
static void run_child(int fd, const ld_snapshot_span *spans, size_t count, uint64_t file_bytes, size_t chunk, int report,
                      pid_t parent) {
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(3);  // the parent died before the request took effect
    close_others(fd, report);
    int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adj >= 0) {
        (void)write_fully(adj, "1000", 4);
        close(adj);
    }

    ld_snapshot_child_status status = {0, 0};
    uint32_t crcs[128];
    if (count > sizeof crcs / sizeof crcs[0]) {
        status.error = EINVAL;
    }
    for (size_t i = 0; i < count && status.error == 0; i++) {
        const char *data = spans[i].data;
        uint64_t done = 0, length = spans[i].length;
        uint32_t crc = 0;
        while (done < length) {
            size_t n = (size_t)(length - done < chunk ? length - done : chunk);
            crc = ld_crc32c(crc, data + done, n);
            size_t written = 0;
            while (written < n) {
                ssize_t w = pwrite(fd, data + done + written, n - written, (off_t)(spans[i].offset + done + written));
                if (w < 0) {
                    if (errno == EINTR) continue;
                    status.error = errno;
                    status.failed_span = (uint32_t)i;
                    break;
                }
                written += (size_t)w;
            }
            if (status.error != 0) break;
            done += n;
        }
        crcs[i] = crc;
    }
    // The file ends where the last section ends, even when that section is empty.
    if (status.error == 0 && ftruncate(fd, (off_t)file_bytes) != 0) {
        status.error = errno;
        status.failed_span = (uint32_t)count;
    }
    if (write_fully(report, &status, sizeof status) != 0 ||
        (status.error == 0 && write_fully(report, crcs, count * sizeof crcs[0]) != 0)) {
        _exit(2);
    }
    _exit(status.error == 0 ? 0 : 1);
}

pid_t ld_snapshot_fork_writer(int fd, const ld_snapshot_span *spans, size_t count, uint64_t file_bytes,
                              size_t chunk_bytes, int *result_fd) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    if (chunk_bytes == 0) chunk_bytes = 1 << 20;
#ifdef LD_HAVE_FORK_AND_CLOSE_RANGE
    // _Fork runs no atfork handlers: nothing in the parent waits for another
    // thread's malloc lock, and the child never calls malloc anyway.
    pid_t pid = _Fork();
#else
    pid_t pid = fork();
#endif
    if (pid == 0) {
        close(ends[0]);
        run_child(fd, spans, count, file_bytes, chunk_bytes, ends[1], parent);
    }
    int saved = errno;
    close(ends[1]);
    if (pid < 0) {
        close(ends[0]);
        errno = saved;
        return -1;
    }
    *result_fd = ends[0];
    return pid;
}

// The snapshot writer's child process: a copy-on-write view of the index,
// written out while the parent goes on serving.
//
// Capturing a snapshot by copying the index into memory pauses writers for
// the copy (hundreds of milliseconds at a million vectors) and costs a second
// image's worth of fresh pages. Instead, the parent forks while it holds the
// index's writer lock: the child sees the index exactly as it was at that
// instant, and the kernel copies a page only when the parent later changes
// it. Writers are paused only for the fork itself (copying page tables).
//
// The child runs nothing but the system calls below and the CRC32C kernel:
// after a fork in a multi-threaded process only async-signal-safe calls are
// allowed, so no Swift, no malloc, no locks. It reports through a pipe and
// leaves the header page, the fsync and the rename to the parent.
#ifndef LOOPDESK_SNAPSHOT_CHILD_H
#define LOOPDESK_SNAPSHOT_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One section to write: `length` bytes at `data`, to file offset `offset`.
typedef struct {
    const void *data;
    uint64_t length;
    uint64_t offset;
} ld_snapshot_span;

/// What the child writes to its pipe when it is done, before the sections'
/// CRC32C values (`count` u32 in the host's byte order, in span order). `error` is 0 on
/// success, else the `errno` of the write that failed in span `failed_span`.
typedef struct {
    int32_t error;
    uint32_t failed_span;
} ld_snapshot_child_status;

/// Forks a child that writes every span to `fd` with `pwrite`, in chunks of
/// `chunk_bytes`, computing each span's CRC32C as it goes, and sets the file's
/// size to `file_bytes` (gaps between spans stay holes, read as zeros); then
/// it writes an `ld_snapshot_child_status` and the CRCs to the pipe and exits.
/// A failed size change is reported as `failed_span == count`.
///
/// In the child, every other file descriptor is closed first (so a client
/// socket or the data directory's lock is not held open by it), SIGTERM and
/// SIGINT go back to their default action, the child asks to be killed when
/// the forking thread dies (an orphan must not go on writing a file a
/// restarted server may reuse), and it offers itself first to the OOM killer.
///
/// - Returns: the child's pid, with the pipe's read end in `*result_fd`; or -1
///   with `errno` set when the pipe or the fork failed (nothing to clean up).
pid_t ld_snapshot_fork_writer(int fd, const ld_snapshot_span *spans, size_t count, uint64_t file_bytes,
                              size_t chunk_bytes, int *result_fd);

#ifdef __cplusplus
}
#endif

#endif

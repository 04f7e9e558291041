// Prefetch hints and atomics on raw memory for the index's hot paths.
//
// Swift's atomics cannot be laid over memory the index allocates itself, so
// the few operations the HNSW graph needs (a per-node sequence lock around
// each link list, a published node count, tombstone bytes) are tiny inline C
// functions here, which the Swift optimiser inlines like its own code.
#ifndef LOOPDESK_MEMORY_H
#define LOOPDESK_MEMORY_H

#include <stdint.h>

static inline void ld_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

static inline uint32_t ld_load_acquire_u32(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void ld_store_release_u32(uint32_t *p, uint32_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline uint32_t ld_load_relaxed_u32(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline void ld_store_relaxed_u32(uint32_t *p, uint32_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}
static inline uint16_t ld_load_acquire_u16(const uint16_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void ld_store_release_u16(uint16_t *p, uint16_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline uint8_t ld_load_acquire_u8(const uint8_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void ld_store_release_u8(uint8_t *p, uint8_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline uint64_t ld_load_acquire_u64(const uint64_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void ld_store_release_u64(uint64_t *p, uint64_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline uint32_t ld_fetch_add_u32(uint32_t *p, uint32_t v) {
    return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}
static inline uint64_t ld_fetch_add_u64(uint64_t *p, uint64_t v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

// Sequence lock over one node's link lists.
//
// Writers (several, during a parallel build) take the lock by moving the
// counter from even to odd, and release it by storing the next even value.
// Readers never write: they read the counter, copy the links, and retry when
// the counter was odd or has changed, so a search never sees a torn list and
// never blocks a writer.

/// Spins until the lock is taken; returns the odd value now held.
static inline void ld_seq_lock(uint32_t *seq) {
    for (;;) {
        uint32_t s = __atomic_load_n(seq, __ATOMIC_RELAXED);
        if ((s & 1u) == 0 &&
            __atomic_compare_exchange_n(seq, &s, s + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            return;
        }
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
    }
}
static inline void ld_seq_unlock(uint32_t *seq) {
    __atomic_fetch_add(seq, 1u, __ATOMIC_RELEASE);
}
/// Begins a read: returns the even counter to validate against, spinning while a write is in progress.
static inline uint32_t ld_seq_read_begin(const uint32_t *seq) {
    for (;;) {
        uint32_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
        if ((s & 1u) == 0) return s;
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
    }
}
/// Ends a read: true when nothing was written since `begin`.
static inline int ld_seq_read_valid(const uint32_t *seq, uint32_t begin) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(seq, __ATOMIC_RELAXED) == begin;
}

#endif

#include "crc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

uint32_t ld_crc32c_shift(uint32_t crc, size_t zeros);

static uint32_t table[8][256];
static int table_ready;

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

// Slicing-by-8.
uint32_t ld_crc32c_portable(uint32_t crc, const void *data, size_t len) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_table();
    const uint8_t *p = data;
    crc = ~crc;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = data;
    uint64_t c = ~crc;
    // Three independent streams hide the instruction's 3-cycle latency on large buffers.
    if (len >= 3 * 4096) {
        while (len >= 3 * 4096) {
            uint64_t c1 = 0, c2 = 0;
            const uint8_t *p1 = p + 4096, *p2 = p + 8192;
            for (size_t i = 0; i < 4096; i += 8) {
                uint64_t a, b, d;
                memcpy(&a, p + i, 8);
                memcpy(&b, p1 + i, 8);
                memcpy(&d, p2 + i, 8);
                c = _mm_crc32_u64(c, a);
                c1 = _mm_crc32_u64(c1, b);
                c2 = _mm_crc32_u64(c2, d);
            }
            // Combine: shift c over 8192 bytes and c1 over 4096 bytes of zeros, then xor
            // (a 32×32 GF(2) matrix product, cheap next to 12 KiB of data).
            uint32_t cc = ld_crc32c_shift((uint32_t)c, 8192) ^ ld_crc32c_shift((uint32_t)c1, 4096) ^ (uint32_t)c2;
            c = cc;
            p += 3 * 4096;
            len -= 3 * 4096;
        }
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        len -= 8;
    }
    while (len--) c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

// Shifting a raw (not inverted) CRC register over `zeros` zero bytes, with
// GF(2) matrix squaring (the zlib crc32_combine method), cached per length.
static void gf2_times(uint32_t *out, const uint32_t *mat, const uint32_t *vec_mat) {
    for (int i = 0; i < 32; i++) {
        uint32_t v = vec_mat[i], s = 0;
        for (int j = 0; v; j++, v >>= 1)
            if (v & 1) s ^= mat[j];
        out[i] = s;
    }
}

static uint32_t gf2_apply(const uint32_t *mat, uint32_t vec) {
    uint32_t s = 0;
    for (int j = 0; vec; j++, vec >>= 1)
        if (vec & 1) s ^= mat[j];
    return s;
}

typedef struct {
    size_t zeros;
    uint32_t mat[32];
    int ready;
} shift_cache;
static shift_cache cache[2];

static void build_shift(shift_cache *c, size_t zeros) {
    uint32_t one[32], sq[32], acc[32], tmp[32];
    // Operator for one zero bit.
    one[0] = 0x82F63B78u;
    for (int i = 1; i < 32; i++) one[i] = 1u << (i - 1);
    // acc = identity
    for (int i = 0; i < 32; i++) acc[i] = 1u << i;
    size_t bits = zeros * 8;
    memcpy(sq, one, sizeof sq);
    while (bits) {
        if (bits & 1) {
            gf2_times(tmp, sq, acc);
            memcpy(acc, tmp, sizeof acc);
        }
        gf2_times(tmp, sq, sq);
        memcpy(sq, tmp, sizeof sq);
        bits >>= 1;
    }
    memcpy(c->mat, acc, sizeof acc);
    c->zeros = zeros;
    __atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
}

uint32_t ld_crc32c_shift(uint32_t crc, size_t zeros) {
    shift_cache *c = zeros == 8192 ? &cache[0] : &cache[1];
    if (!__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE) || c->zeros != zeros) build_shift(c, zeros);
    return gf2_apply(c->mat, crc);
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);
static crc_fn chosen;

uint32_t ld_crc32c(uint32_t crc, const void *data, size_t len) {
    crc_fn f = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (!f) {
        f = ld_crc32c_portable;
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("sse4.2")) f = crc32c_sse42;
#endif
        __atomic_store_n(&chosen, f, __ATOMIC_RELEASE);
    }
    return f(crc, data, len);
}

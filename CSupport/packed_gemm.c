// C (+)= A · B against a B packed once into 64-column panels; portable, AVX2+FMA
// and AVX-512 bodies, chosen by the same cpuid check as the distance kernels.
#include "packed_gemm.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#define W LD_PACK_WIDTH

size_t ld_packed_count(size_t k, size_t n) { return (n + W - 1) / W * W * k; }

void ld_pack_columns_f32(const float *b, size_t k, size_t n, size_t ldb, float *packed) {
    const size_t panels = (n + W - 1) / W;
    for (size_t p = 0; p < panels; p++) {
        const size_t first = p * W, width = n - first < W ? n - first : W;
        float *panel = packed + p * W * k;
        for (size_t row = 0; row < k; row++) {
            memcpy(panel + row * W, b + row * ldb + first, width * sizeof(float));
            if (width < W) memset(panel + row * W + width, 0, (W - width) * sizeof(float));
        }
    }
}

// Columns [first, first + width) of C from one panel, every row: the reference the SIMD
// bodies are tested against, and what they use for a panel's ragged remainder.
static void panel_portable(size_t m, size_t k, const float *a, size_t lda, const float *panel, size_t offset,
                           size_t width, float *c, size_t ldc, int accumulate) {
    for (size_t r = 0; r < m; r++) {
        float row[W];
        for (size_t j = 0; j < width; j++) row[j] = accumulate ? c[r * ldc + j] : 0.0f;
        for (size_t kk = 0; kk < k; kk++) {
            const float x = a[r * lda + kk];
            const float *w = panel + kk * W + offset;
            for (size_t j = 0; j < width; j++) row[j] += x * w[j];
        }
        memcpy(c + r * ldc, row, width * sizeof(float));
    }
}

static void gemm_portable(size_t m, size_t k, const float *a, size_t lda, const float *packed, size_t begin,
                          size_t end, float *c, size_t ldc, int accumulate) {
    for (size_t first = begin; first < end; first += W) {
        const size_t width = end - first < W ? end - first : W;
        panel_portable(m, k, a, lda, packed + first * k, 0, width, c + first, ldc, accumulate);
    }
}

#if defined(__x86_64__) || defined(_M_X64)
#define LD_GEMM_AVX2 __attribute__((target("avx2,fma")))
#define LD_GEMM_AVX512 __attribute__((target("avx512f,avx2,fma")))

// ROWS rows × 16 columns: 2·ROWS accumulators of 8 floats, B read with the panel's stride.
#define AVX2_TILE(ROWS)                                                                        \
    LD_GEMM_AVX2 static void tile_avx2_##ROWS(size_t k, const float *a, size_t lda, const float *w, \
                                              float *c, size_t ldc, int accumulate) {           \
        __m256 acc[ROWS][2];                                                                   \
        for (int r = 0; r < ROWS; r++)                                                         \
            for (int j = 0; j < 2; j++)                                                        \
                acc[r][j] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8 * j) : _mm256_setzero_ps(); \
        for (size_t kk = 0; kk < k; kk++) {                                                    \
            const __m256 w0 = _mm256_loadu_ps(w + kk * W), w1 = _mm256_loadu_ps(w + kk * W + 8); \
            for (int r = 0; r < ROWS; r++) {                                                   \
                const __m256 x = _mm256_broadcast_ss(a + r * lda + kk);                        \
                acc[r][0] = _mm256_fmadd_ps(x, w0, acc[r][0]);                                 \
                acc[r][1] = _mm256_fmadd_ps(x, w1, acc[r][1]);                                 \
            }                                                                                  \
        }                                                                                      \
        for (int r = 0; r < ROWS; r++)                                                         \
            for (int j = 0; j < 2; j++) _mm256_storeu_ps(c + r * ldc + 8 * j, acc[r][j]);      \
    }
AVX2_TILE(1)
AVX2_TILE(2)
AVX2_TILE(3)
AVX2_TILE(4)
AVX2_TILE(5)
AVX2_TILE(6)

LD_GEMM_AVX2 static void gemm_avx2(size_t m, size_t k, const float *a, size_t lda, const float *packed, size_t begin,
                                   size_t end, float *c, size_t ldc, int accumulate) {
    for (size_t first = begin; first < end; first += W) {
        const float *panel = packed + first * k;
        const size_t width = end - first < W ? end - first : W;
        for (size_t offset = 0; offset < width; offset += 16) {
            float *block = c + first + offset;
            if (width - offset < 16) {
                panel_portable(m, k, a, lda, panel, offset, width - offset, block, ldc, accumulate);
                break;
            }
            const float *w = panel + offset;
            size_t r = 0;
            for (; r + 6 <= m; r += 6) tile_avx2_6(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate);
            switch (m - r) {
                case 5: tile_avx2_5(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate); break;
                case 4: tile_avx2_4(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate); break;
                case 3: tile_avx2_3(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate); break;
                case 2: tile_avx2_2(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate); break;
                case 1: tile_avx2_1(k, a + r * lda, lda, w, block + r * ldc, ldc, accumulate); break;
                default: break;
            }
        }
    }
}

// ROWS rows × one whole panel (64 columns, four registers): 4·ROWS accumulators; columns
// past the product's end are masked off on load and store.
#define AVX512_TILE(ROWS)                                                                       \
    LD_GEMM_AVX512 static void tile_avx512_##ROWS(size_t k, const float *a, size_t lda, const float *w, \
                                                  float *c, size_t ldc, const __mmask16 *mask, int accumulate) { \
        __m512 acc[ROWS][4];                                                                    \
        for (int r = 0; r < ROWS; r++)                                                          \
            for (int j = 0; j < 4; j++)                                                         \
                acc[r][j] = accumulate ? _mm512_maskz_loadu_ps(mask[j], c + r * ldc + 16 * j)  \
                                       : _mm512_setzero_ps();                                   \
        for (size_t kk = 0; kk < k; kk++) {                                                     \
            const float *row = w + kk * W;                                                      \
            const __m512 w0 = _mm512_loadu_ps(row), w1 = _mm512_loadu_ps(row + 16);            \
            const __m512 w2 = _mm512_loadu_ps(row + 32), w3 = _mm512_loadu_ps(row + 48);       \
            for (int r = 0; r < ROWS; r++) {                                                    \
                const __m512 x = _mm512_set1_ps(a[r * lda + kk]);                               \
                acc[r][0] = _mm512_fmadd_ps(x, w0, acc[r][0]);                                  \
                acc[r][1] = _mm512_fmadd_ps(x, w1, acc[r][1]);                                  \
                acc[r][2] = _mm512_fmadd_ps(x, w2, acc[r][2]);                                  \
                acc[r][3] = _mm512_fmadd_ps(x, w3, acc[r][3]);                                  \
            }                                                                                   \
        }                                                                                       \
        for (int r = 0; r < ROWS; r++)                                                          \
            for (int j = 0; j < 4; j++) _mm512_mask_storeu_ps(c + r * ldc + 16 * j, mask[j], acc[r][j]); \
    }
AVX512_TILE(1)
AVX512_TILE(2)
AVX512_TILE(3)
AVX512_TILE(4)
AVX512_TILE(5)
AVX512_TILE(6)

LD_GEMM_AVX512 static void gemm_avx512(size_t m, size_t k, const float *a, size_t lda, const float *packed,
                                       size_t begin, size_t end, float *c, size_t ldc, int accumulate) {
    for (size_t first = begin; first < end; first += W) {
        const float *w = packed + first * k;
        const size_t width = end - first < W ? end - first : W;
        __mmask16 mask[4];
        for (size_t j = 0; j < 4; j++) {
            const size_t valid = width > 16 * j ? (width - 16 * j < 16 ? width - 16 * j : 16) : 0;
            mask[j] = (__mmask16)((1u << valid) - 1);
        }
        float *block = c + first;
        size_t r = 0;
        for (; r + 6 <= m; r += 6) tile_avx512_6(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate);
        switch (m - r) {
            case 5: tile_avx512_5(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate); break;
            case 4: tile_avx512_4(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate); break;
            case 3: tile_avx512_3(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate); break;
            case 2: tile_avx512_2(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate); break;
            case 1: tile_avx512_1(k, a + r * lda, lda, w, block + r * ldc, ldc, mask, accumulate); break;
            default: break;
        }
    }
}
#endif

int ld_gemm_packed_f32_isa(ld_isa isa, size_t m, size_t k, const float *a, size_t lda, const float *packed,
                           size_t column_begin, size_t column_end, float *c, size_t ldc, int accumulate) {
    if (ld_kernels_for(isa) == NULL) return 0;
    switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
        case LD_ISA_AVX512: gemm_avx512(m, k, a, lda, packed, column_begin, column_end, c, ldc, accumulate); return 1;
        case LD_ISA_AVX2: gemm_avx2(m, k, a, lda, packed, column_begin, column_end, c, ldc, accumulate); return 1;
#endif
        case LD_ISA_PORTABLE: gemm_portable(m, k, a, lda, packed, column_begin, column_end, c, ldc, accumulate); return 1;
        default: return 0;
    }
}

void ld_gemm_packed_f32(size_t m, size_t k, const float *a, size_t lda, const float *packed, size_t column_begin,
                        size_t column_end, float *c, size_t ldc, int accumulate) {
    ld_gemm_packed_f32_isa(ld_kernels_best()->isa, m, k, a, lda, packed, column_begin, column_end, c, ldc, accumulate);
}

// Element-wise transformer kernels: one body each, compiled for three ISA levels.
#include "activations.h"

#include <stdint.h>
#include <string.h>

#include "kernels.h"

// e^x: clamp to [-87, 88]; x = n·ln2 + r with |r| <= ln2/2; e^r by a degree-7
// Taylor polynomial; 2^n built in the exponent bits. Adding 1.5·2^23 (+127,
// the exponent bias) rounds x·log2(e) to an integer held in the low mantissa
// bits, so shifting those bits left by 23 gives the float 2^n directly.
static inline __attribute__((always_inline)) float exp_poly(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float magic = 12582912.0f + 127.0f;
    float shifted = x * 1.44269504f + magic;
    float n = shifted - magic;
    float r = x - n * 0.69314575f - n * 1.4286068e-6f;
    float p = r * (1.0f / 5040) + (1.0f / 720);
    p = p * r + (1.0f / 120);
    p = p * r + (1.0f / 24);
    p = p * r + (1.0f / 6);
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits <<= 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// GELU(x) = ½x·(1 + erf(x/√2)). erfc(|z|) from Abramowitz & Stegun 7.1.26
// (absolute error below 1.5e-7); 1 + erf(z) is erfc(|z|) for negative z and
// 2 − erfc(|z|) otherwise, so the negative tail loses nothing to cancellation.
static inline __attribute__((always_inline)) float gelu_poly(float x) {
    float z = (x < 0 ? -x : x) * 0.70710677f;
    float t = 1.0f / (z * 0.3275911f + 1.0f);
    float poly = t * 1.061405429f - 1.453152027f;
    poly = poly * t + 1.421413741f;
    poly = poly * t - 0.284496736f;
    poly = poly * t + 0.254829592f;
    poly = poly * t;
    float erfc_abs = poly * exp_poly(-(z * z));
    return x * 0.5f * (x < 0 ? erfc_abs : 2.0f - erfc_abs);
}

// Bodies shared by every ISA level; the compiler vectorises them to the width
// the enclosing function's target allows.
#define GELU_BODY                                              \
    for (size_t i = 0; i < n; i++) x[i] = gelu_poly(x[i]);

#define SOFTMAX_BODY                                                     \
    for (size_t r = 0; r < rows; r++) {                                  \
        float *row = x + r * columns;                                    \
        float largest = row[0];                                          \
        for (size_t j = 1; j < columns; j++)                             \
            largest = row[j] > largest ? row[j] : largest;               \
        const float shift = largest * scale;                             \
        for (size_t j = 0; j < columns; j++)                             \
            row[j] = exp_poly(row[j] * scale - shift);                   \
        float sum = 0;                                                   \
        for (size_t j = 0; j < columns; j++) sum += row[j];              \
        const float inverse = 1.0f / sum;                                \
        for (size_t j = 0; j < columns; j++) row[j] *= inverse;          \
    }

static void gelu_portable(float *x, size_t n) { GELU_BODY }
static void softmax_portable(float *x, size_t rows, size_t columns, float scale) { SOFTMAX_BODY }

#if defined(__x86_64__) || defined(_M_X64)
#define LD_ACT_AVX2 __attribute__((target("avx2,fma")))
#define LD_ACT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
LD_ACT_AVX2 static void gelu_avx2(float *x, size_t n) { GELU_BODY }
LD_ACT_AVX2 static void softmax_avx2(float *x, size_t rows, size_t columns, float scale) { SOFTMAX_BODY }
LD_ACT_AVX512 static void gelu_avx512(float *x, size_t n) { GELU_BODY }
LD_ACT_AVX512 static void softmax_avx512(float *x, size_t rows, size_t columns, float scale) { SOFTMAX_BODY }
#endif

void ld_gelu_f32(float *x, size_t n) {
#if defined(__x86_64__) || defined(_M_X64)
    switch (ld_kernels_best()->isa) {
        case LD_ISA_AVX512: gelu_avx512(x, n); return;
        case LD_ISA_AVX2: gelu_avx2(x, n); return;
        default: break;
    }
#endif
    gelu_portable(x, n);
}

void ld_softmax_rows_f32(float *x, size_t rows, size_t columns, float scale) {
    if (columns == 0) return;
#if defined(__x86_64__) || defined(_M_X64)
    switch (ld_kernels_best()->isa) {
        case LD_ISA_AVX512: softmax_avx512(x, rows, columns, scale); return;
        case LD_ISA_AVX2: softmax_avx2(x, rows, columns, scale); return;
        default: break;
    }
#endif
    softmax_portable(x, rows, columns, scale);
}

float ld_exp_f32(float x) { return exp_poly(x); }

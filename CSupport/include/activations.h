// Element-wise kernels of the transformer forward pass (Embedding), with
// runtime CPU dispatch.
//
// Each is one loop over an inlined polynomial, compiled three times: portable,
// AVX2+FMA and AVX-512, and picked per call from the same cpuid check as the
// distance kernels (ld_kernels_best). Swift alone would be held to the
// baseline x86-64 vector width, four floats; these run sixteen.
#ifndef LOOPDESK_ACTIVATIONS_H
#define LOOPDESK_ACTIVATIONS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// x[i] = GELU(x[i]) = x·Φ(x), the exact (erf) form, for n values in place.
/// Absolute error below 2e-7·|x|.
void ld_gelu_f32(float *x, size_t n);

/// Row-wise softmax(scale·x) over rows × columns values in place (rows contiguous).
void ld_softmax_rows_f32(float *x, size_t rows, size_t columns, float scale);

/// e^x for one value with the kernels' polynomial (for tests: relative error below 5e-7 for x in [-87, 88]).
float ld_exp_f32(float x);

#ifdef __cplusplus
}
#endif

#endif

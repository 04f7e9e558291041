// A matrix product against a constant right-hand side packed once (Embedding),
// with runtime CPU dispatch.
//
// BLAS packs B into its own panel layout on every call, and for the few rows
// of one or two questions that copy costs as much as the multiplication (the
// profile in Benchmarks/RESULTS.md: sgemm_itcopy beside sgemm_kernel). A
// model's weights never change, so they are packed once, at load, into panels
// of LD_PACK_WIDTH columns, and every product streams them straight into
// registers: C[m×n] (+)= A[m×k] · B[k×n], all row-major.
#ifndef LOOPDESK_PACKED_GEMM_H
#define LOOPDESK_PACKED_GEMM_H

#include <stddef.h>

#include "kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per packed panel (four AVX-512 registers of floats).
#define LD_PACK_WIDTH 64

/// Floats `ld_pack_columns_f32` writes for a k×n matrix: n rounded up to whole panels, times k.
size_t ld_packed_count(size_t k, size_t n);

/// Packs row-major B (k×n, row stride ldb) into `packed` (ld_packed_count(k, n) floats):
/// panel p holds columns [64p, 64p+64) as k rows of 64 contiguous floats, the columns
/// past n zero.
void ld_pack_columns_f32(const float *b, size_t k, size_t n, size_t ldb, float *packed);

/// C[m × (column_end − column_begin)] (+)= A[m×k] · B[:, column_begin..<column_end], where
/// `packed` is B packed by ld_pack_columns_f32 and `c` points at C's column 0 (the product
/// writes only the columns asked for). `column_begin` must be a multiple of LD_PACK_WIDTH;
/// `column_end` at most B's n. `accumulate` adds to C (β = 1), otherwise C is overwritten.
/// Uses the best instruction set of this CPU (ld_kernels_best).
void ld_gemm_packed_f32(size_t m, size_t k, const float *a, size_t lda, const float *packed,
                        size_t column_begin, size_t column_end, float *c, size_t ldc, int accumulate);

/// The same product with the kernels of `isa`; 0 when this CPU or build cannot run them (for tests).
int ld_gemm_packed_f32_isa(ld_isa isa, size_t m, size_t k, const float *a, size_t lda, const float *packed,
                           size_t column_begin, size_t column_end, float *c, size_t ldc, int accumulate);

#ifdef __cplusplus
}
#endif

#endif

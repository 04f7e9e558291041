// Distance kernels over f32, f16 and u8 codes, with runtime CPU dispatch.
//
// Every kernel exists as a portable C version and, on x86-64, AVX2+FMA and
// AVX-512 versions compiled with function target attributes, so one binary
// runs fast on a modern CPU and correctly on any x86-64 or arm64. The active
// table is chosen once, on first use, from a cpuid check; tests can ask for
// any table the machine supports and compare it against the portable one.
#ifndef LOOPDESK_KERNELS_H
#define LOOPDESK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels a kernel table can be built for.
typedef enum {
    LD_ISA_PORTABLE = 0,
    LD_ISA_AVX2 = 1,
    LD_ISA_AVX512 = 2,
} ld_isa;

/// Inner product of two f32 vectors.
typedef float (*ld_f32_kernel)(const float *a, const float *b, size_t n);
/// Asymmetric distance of an f32 query to a vector of u8 codes: sum(q[i] * code[i]).
typedef float (*ld_u8_kernel)(const float *q, const uint8_t *codes, size_t n);
/// Asymmetric distance of an f32 query to an IEEE half-precision vector: sum(q[i] * h[i]).
typedef float (*ld_f16_kernel)(const float *q, const uint16_t *h, size_t n);

/// One set of kernels for one instruction-set level.
typedef struct {
    ld_isa isa;
    const char *name;
    ld_f32_kernel dot_f32;
    ld_f32_kernel l2sq_f32;
    ld_u8_kernel dot_u8;
    ld_f16_kernel dot_f16;
} ld_kernel_table;

/// The best table for this CPU (chosen once; thread-safe).
const ld_kernel_table *ld_kernels_best(void);

/// The table for `isa`, or NULL when this CPU (or this build) cannot run it.
const ld_kernel_table *ld_kernels_for(ld_isa isa);

/// Converts n f32 values to IEEE half precision (round to nearest even).
void ld_f32_to_f16(const float *src, uint16_t *dst, size_t n);
/// Converts n IEEE half-precision values to f32.
void ld_f16_to_f32(const uint16_t *src, float *dst, size_t n);

#ifdef __cplusplus
}
#endif

#endif

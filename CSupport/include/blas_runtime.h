// Choosing OpenBLAS's kernels on CPUs its runtime detection does not know.
//
// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its core at load time. On CPUs
// newer than it (e.g. Sapphire Rapids) detection falls back to the generic
// SSE3 "Prescott" core, which runs sgemm about 4× slower than the AVX-512
// "SkylakeX" core the same CPU supports. The choice can only be changed
// through the OPENBLAS_CORETYPE environment variable before the library
// loads, so executables ask this once and re-execute themselves with it set.
#ifndef LOOPDESK_BLAS_RUNTIME_H
#define LOOPDESK_BLAS_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/// A better OPENBLAS_CORETYPE for this CPU when OpenBLAS fell back to a generic
/// core and the user set none; NULL when the current choice should stand.
const char *ld_blas_preferred_coretype(void);

/// When `ld_blas_preferred_coretype` names a better core, sets OPENBLAS_CORETYPE
/// and re-executes the current program (/proc/self/exe) with `argv`. Returns
/// only when nothing needs doing or the re-exec failed (then the slower
/// kernels stay). Call first thing in `main`; both executables do.
void ld_blas_reexec_if_needed(char *const *argv);

#ifdef __cplusplus
}
#endif

#endif

#include "blas_runtime.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ld_blas_preferred_coretype(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) return NULL;  // the user's (or the machine's) choice stands
    const char *core = openblas_get_corename();
    if (core == NULL) return NULL;
    static const char *generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai",
                                    "Coppermine", "Northwood", "Banias", "unknown"};
    int is_generic = 0;
    for (size_t i = 0; i < sizeof generic / sizeof *generic; i++) {
        if (strcasecmp(core, generic[i]) == 0) is_generic = 1;
    }
    if (!is_generic) return NULL;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

void ld_blas_reexec_if_needed(char *const *argv) {
#if defined(__linux__)
    const char *preferred = ld_blas_preferred_coretype();
    if (preferred == NULL) return;
    setenv("OPENBLAS_CORETYPE", preferred, 1);
    execv("/proc/self/exe", argv);
    // execv returns only on failure: carry on with the slower kernels.
#else
    (void)argv;
#endif
}

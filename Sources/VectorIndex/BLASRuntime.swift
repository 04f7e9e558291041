import CSupport

#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS's kernel choice, and the fix for CPUs its detection does not know.
public enum BLASRuntime {
    /// The OpenBLAS core in use, e.g. `SkylakeX`.
    public static var coreName: String { String(cString: ld_blas_core_name()) }

    /// Re-executes the current program with `OPENBLAS_CORETYPE` set when
    /// OpenBLAS fell back to a generic core on a CPU with AVX2 or AVX-512
    /// (see `blas_runtime.h`). Returns normally when nothing needs doing or
    /// the re-exec is not possible. Call first thing in `main`.
    public static func selectFastKernelsOrReexec() {
        #if os(Linux)
        guard let preferred = ld_blas_preferred_coretype() else { return }
        setenv("OPENBLAS_CORETYPE", preferred, 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // execv only returns on failure: carry on with the slower kernels.
        #endif
    }
}

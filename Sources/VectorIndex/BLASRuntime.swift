import CSupport


/// OpenBLAS's kernel choice, and the fix for CPUs its detection does not know.
public enum BLASRuntime {
    /// Re-executes the current program with `OPENBLAS_CORETYPE` set when
    /// OpenBLAS fell back to a generic core on a CPU with AVX2 or AVX-512
    /// (see `blas_runtime.h`). Returns normally when nothing needs doing or
    /// the re-exec is not possible. Call first thing in `main`.
    public static func selectFastKernelsOrReexec() {
        ld_blas_reexec_if_needed(CommandLine.unsafeArgv)
    }
}

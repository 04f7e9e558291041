import ArgumentParser
import CSupport

#if canImport(Glibc)
import Glibc
#endif

/// `loopdesk`: the answer service and its tools.
///
/// Each subcommand lives in a file of its own (`EmbedCommand.swift`, …) and is
/// listed in ``configuration``; this file holds only the root.
@main
struct Loopdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopdesk",
        abstract: "Loopdesk: a self-learning customer-support answer engine.",
        subcommands: [EmbedCommand.self]
    )

    static func main() async {
        selectFastBLASKernels()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Re-executes this program with `OPENBLAS_CORETYPE` set when OpenBLAS fell
    /// back to its generic kernels on a CPU it does not know (CSupport's
    /// `blas_runtime.h` explains; `loopdesk-core` does the same). The embedder's
    /// sgemm runs about 4× faster with the right kernels.
    private static func selectFastBLASKernels() {
        #if os(Linux)
        guard let preferred = ld_blas_preferred_coretype() else { return }
        setenv("OPENBLAS_CORETYPE", preferred, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only on failure: carry on with the slower kernels.
        #endif
    }
}

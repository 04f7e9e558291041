import ArgumentParser
import CSupport
import Primitives

/// `loopdesk`: the answer service and its tools.
///
/// Each subcommand lives in a file of its own (`EmbedCommand.swift`, …) and is
/// listed in ``configuration``; this file holds only the root.
@main
struct Loopdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopdesk",
        abstract: "Loopdesk: a self-learning customer-support answer engine.",
        subcommands: [EmbedCommand.self, UpCommand.self, ServeCommand.self, KBCommand.self, AskCommand.self, OutcomeCommand.self, LearnedCommand.self, TopicsCommand.self, BaselineCommand.self, ReportCommand.self, ReindexCommand.self, ImportCommand.self, GapsCommand.self, ReplayCommand.self, WorkspaceCommand.self]
    )

    static func main() async {
        // OpenBLAS's generic kernels on CPUs it does not know are ~4× slower: see CSupport's blas_runtime.h.
        ld_blas_reexec_if_needed(CommandLine.unsafeArgv)
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
}

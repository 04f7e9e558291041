import ArgumentParser
import VectorIndex

/// `loopdesk-core`: the index and ranking daemon, its benchmarks and ops tools.
@main
struct LoopdeskCore: ParsableCommand {
    static func main() {
        BLASRuntime.selectFastKernelsOrReexec()
        Self.main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "loopdesk-core",
        abstract: "Loopdesk's vector index and ranking core.",
        subcommands: [ServeCommand.self, Bench.self, EvalPolicyCommand.self, SnapshotCommand.self, StatsCommand.self, VerifyCommand.self, InspectCommand.self, RestoreCommand.self, CrashWriter.self]
    )
}

/// `loopdesk-core bench …`: measurements for the engineers who tune the index.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks of the index.",
        subcommands: [BenchANN.self, GenerateClustered.self, BenchPersistence.self, BenchWire.self, BenchWireClient.self, BenchRank.self, BenchSnapshotPause.self]
    )
}

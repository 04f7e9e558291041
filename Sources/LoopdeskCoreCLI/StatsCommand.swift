import ArgumentParser
import Wire

/// `loopdesk-core stats --socket PATH`: prints a running daemon's `STATS` JSON
/// (docs/PROTOCOL.md §7.12) — the same object a client gets, for ops scripts
/// and monitoring checks that would rather not speak the protocol themselves.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a running daemon's STATS JSON (server counters and every collection's, or one collection's)."
    )

    @Option(help: "Socket of the running loopdesk-core.") var socket: String
    @Option(help: "Only this collection (the server's counters are always included).") var collection: String?

    func run() throws {
        let client = try LoopdeskBlockingClient(socketPath: socket, clientName: "loopdesk-core stats")
        defer { client.close() }
        print(try client.call(StatsRequest(collection: collection ?? "")).json)
    }
}

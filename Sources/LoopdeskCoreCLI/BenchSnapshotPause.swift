import ArgumentParser
import CoreServer
import Foundation
import Primitives
import VectorIndex
import Wire

/// `loopdesk-core bench snapshot-pause`: how long a server's writers and
/// rankings wait while it snapshots a grouped, ranked collection — the
/// pause an operator sees, with the vector → group map and the ranker's
/// state in the snapshot, not just the index's.
///
/// Builds the collection in-process (as `bench rank` does), then one thread
/// UPSERTs one grouped vector at a time and another RANKs, each timing every
/// call, while the main thread asks for a `SNAPSHOT`. Prints the longest call
/// of each during the snapshot against the longest in a quiet second before it.
struct BenchSnapshotPause: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot-pause",
        abstract: "Longest UPSERT and RANK while a grouped, ranked collection snapshots (target: writers paused ≤ 10 ms at 1 M × 128)."
    )

    @Option(help: "Base vectors (.fvecs).") var base: String
    @Option(help: "Use only the first N base vectors.") var limit: Int?
    @Option(help: "Aliases per article: vectors are grouped in runs of 1 + this.") var aliases: Int = 3
    @Option(help: "Snapshots to take, one after another.") var snapshots: Int = 3
    @Option(help: "Build threads.") var threads: Int = 2
    @Option(help: "Write the results as JSON here.") var json: String?

    func run() throws {
        let bench = try BenchServer(prefix: "ldpause", workerThreads: threads)
        defer { bench.close() }
        let server = bench.server
        let name = "bench-pause"
        // The base's vectors are dropped once built: a server does not hold
        // them, and the fork's page-table copy grows with every mapped page.
        let (count, dimension, query) = try {
            let b = try TexmexFile.readFloats(base, limit: limit)
            try BenchRank.buildGroupedCollection(server, collection: name, base: b, aliases: aliases)
            return (b.count, b.dimension, Array(b.values[0..<b.dimension]))
        }()
        let groups = UInt64(count / (aliases + 1))

        var runs: [[String: Any]] = []
        for round in 0..<snapshots {
            let probes = [
                CallProbe(label: "UPSERT") { i in
                    _ = try server.execute(UpsertRequest(collection: name, items: ItemBatch(
                        dimension: dimension, ids: [UInt64(10_000_000 + round * 1_000_000 + i)], vectors: query,
                        groups: [UInt64(i) % groups + 1], tags: [["alias"]])))
                },
                CallProbe(label: "RANK") { _ in
                    _ = try server.execute(RankRequest(collection: name, query: query, k: 10, withFeatures: false))
                },
            ]
            for probe in probes { probe.start() }
            Thread.sleep(forTimeInterval: 1)
            let quiet = probes.map { $0.longestSoFar(reset: true) }
            let t0 = Monotonic.now()
            let reply = try server.execute(SnapshotRequest(collection: name))
            let seconds = Monotonic.seconds(since: t0)
            let during = probes.map { $0.stop() }
            let line = zip(probes, zip(quiet, during)).map { probe, q in
                String(format: "%@ longest %.1f ms, %d of %d calls over 10 ms (quiet second before: longest %.1f ms)",
                       probe.label, q.1.longestMs, q.1.slow, q.1.calls, q.0.longestMs)
            }.joined(separator: "; ")
            print(String(format: "snapshot %d: %.2f s (%.1f MB); ", round + 1, seconds, Double(reply.snapshots.first?.bytes ?? 0) / 1e6) + line)
            runs.append(["snapshot_seconds": seconds,
                         "upsert_longest_ms": during[0].longestMs, "upsert_over_10ms": during[0].slow, "rank_over_10ms": during[1].slow, "upsert_quiet_longest_ms": quiet[0].longestMs,
                         "rank_longest_ms": during[1].longestMs, "rank_quiet_longest_ms": quiet[1].longestMs])
        }
        if let json {
            let document: [String: Any] = ["vectors": count, "dim": dimension, "aliases": aliases, "runs": runs]
            try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// One thread calling `body` back to back, keeping the longest call.
private final class CallProbe: @unchecked Sendable {
    let label: String
    private let body: (Int) throws -> Void
    private let lock = NSLock()
    private var running = true
    private var longest = 0.0
    private var calls = 0
    /// Calls over 10 ms: one long stall, or many slow calls?
    private var slow = 0
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)

    init(label: String, _ body: @escaping (Int) throws -> Void) {
        self.label = label
        self.body = body
    }

    func start() {
        Thread {
            var i = 0
            while self.lock.withLock({ self.running }) {
                let t = Monotonic.now()
                do { try self.body(i) } catch { self.lock.withLock { self.failure = error } }
                let ms = Monotonic.seconds(since: t) * 1e3
                self.lock.withLock {
                    self.longest = max(self.longest, ms)
                    self.calls += 1
                    if ms > 10 { self.slow += 1 }
                }
                i += 1
            }
            self.done.signal()
        }.start()
    }

    /// The longest call and the call count since the start or the last reset.
    func longestSoFar(reset: Bool) -> (longestMs: Double, calls: Int, slow: Int) {
        lock.withLock {
            defer { if reset { (longest, calls, slow) = (0, 0, 0) } }
            return (longest, calls, slow)
        }
    }

    /// Stops the thread (after its call in flight).
    func stop() -> (longestMs: Double, calls: Int, slow: Int) {
        lock.withLock { running = false }
        done.wait()
        if let failure = lock.withLock({ failure }) { print("\(label) failed: \(failure)") }
        return longestSoFar(reset: false)
    }
}

import ArgumentParser
import Foundation
import Primitives
import VectorIndex

/// `loopdesk-core bench persistence`: snapshot write and load throughput,
/// mapped open time, and write-ahead-log append rates per fsync policy.
struct BenchPersistence: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persistence",
        abstract: "Snapshot write/load GB/s, mmap open time and WAL appends/s per fsync policy."
    )

    @Option(help: "Base vectors (.fvecs) to index; without it, --count random vectors of --dimension.") var base: String?
    @Option(help: "Random vectors when no --base is given.") var count: Int = 100_000
    @Option(help: "Dimension of random vectors.") var dimension: Int = 128
    @Flag(help: "Build the HNSW graph (slower; without it the snapshot holds vectors and empty links, the same bytes to move) and measure searches during the snapshot.") var buildGraph = false
    @Option(help: "Directory for the files (same disk as the anchors' dd run).") var dir: String
    @Option(help: "WAL appends per policy (always uses a tenth).") var walCount: Int = 200_000
    @Option(help: "Dimension of the vectors in WAL records.") var walDimension: Int = 384
    @Option(help: "Write the results as JSON here.") var json: String?

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var results: [String: Any] = [:]
        let (index, queries, d, n) = try buildIndex()
        results["snapshot"] = try measureSnapshot(index, queries: queries, dimension: d, count: n, results: &results)
        results["wal"] = try measureWAL()
        if let json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    /// An index to snapshot: the `--base` vectors or `--count` seeded random ones,
    /// and the first 100 of them to search with. The rest are let go: a server's
    /// process holds the index, not its input, and the snapshot's fork copies
    /// the page tables of all the process's memory.
    private func buildIndex() throws -> (index: HNSWIndex, queries: [Float], dimension: Int, count: Int) {
        let vectors: [Float], d: Int, n: Int
        if let base {
            let f = try TexmexFile.readFloats(base)
            (vectors, d, n) = (f.values, f.dimension, f.count)
        } else {
            var x: UInt64 = 12345
            vectors = (0..<(count * dimension)).map { _ in
                x = x &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: x >> 11) % 2000) / 1000
            }
            (d, n) = (dimension, count)
        }
        let index = try HNSWIndex(parameters: IndexParameters(dimension: d, metric: .cosine), capacity: n)
        try index.upsertBatch(ids: (0..<n).map(UInt64.init), vectors: vectors, threads: 2, linkGraph: buildGraph)
        print("index: \(n) × \(d)\(buildGraph ? "" : " (vectors only, no graph)")")
        return (index, Array(vectors.prefix(100 * d)), d, n)
    }

    /// Snapshot capture and write (with searches running, when there is a
    /// graph), full load and mapped open; prints each and returns the
    /// `snapshot` results (the search probe's go into `results` itself).
    private func measureSnapshot(_ index: HNSWIndex, queries: [Float], dimension d: Int, count n: Int,
                                 results: inout [String: Any]) throws -> [String: Any] {
        // With a graph, a thread searches throughout the snapshot: the longest any
        // search took shows whether the snapshot blocked searches.
        let probe = buildGraph ? SearchProbe(index: index, queries: queries, dimension: d) : nil
        probe?.start()
        let path = dir + "/bench-snapshot.ldx"
        let t0 = Monotonic.now()
        let started = try index.startSnapshot(collection: "bench", path: { _ in path })
        let captured = Monotonic.seconds(since: t0)
        try started.finish()
        let writeSeconds = Monotonic.seconds(since: t0)
        if let probe {
            let (searches, maxMs, p99Ms, baselineMs) = probe.stop()
            print(String(format: "searches during the snapshot: %d, longest %.2f ms, p99 %.2f ms (longest before it: %.2f ms)",
                         searches, maxMs, p99Ms, baselineMs))
            results["search_during_snapshot"] = ["searches": searches, "max_ms": maxMs, "p99_ms": p99Ms, "max_before_ms": baselineMs]
        }
        let bytes = started.byteCount
        let writeGBs = Double(bytes) / writeSeconds / 1e9
        print(String(format: "snapshot write: %.1f MB in %.3f s (writes paused for the fork: %.1f ms) = %.2f GB/s, fsync included",
                     Double(bytes) / 1e6, writeSeconds, captured * 1e3, writeGBs))

        let (loadSeconds, loadGBs, openMs) = try measureLoads(path, bytes: bytes)
        try? FileManager.default.removeItem(atPath: path)
        return ["vectors": n, "dimension": d, "bytes": bytes, "write_seconds": writeSeconds,
                "write_gb_per_s": writeGBs, "capture_ms": captured * 1e3, "load_seconds": loadSeconds,
                "load_gb_per_s": loadGBs, "mmap_open_ms": openMs]
    }

    /// A full load from the page cache, and the median of five mapped opens.
    private func measureLoads(_ path: String, bytes: Int) throws -> (loadSeconds: Double, loadGBs: Double, openMs: Double) {
        _ = try HNSWIndex.load(path: path, mode: .full)  // warm the page cache
        let t1 = Monotonic.now()
        let (loaded, _, _) = try HNSWIndex.load(path: path, mode: .full)
        let loadSeconds = Monotonic.seconds(since: t1)
        let loadGBs = Double(bytes) / loadSeconds / 1e9
        print(String(format: "full load (every checksum verified), page cache: %.3f s = %.2f GB/s; %d vectors", loadSeconds, loadGBs, loaded.count))

        var opens: [Double] = []
        for _ in 0..<5 {
            let t = Monotonic.now()
            let (mapped, _, _) = try HNSWIndex.load(path: path, mode: .mapped)
            opens.append(Monotonic.seconds(since: t))
            _ = mapped
        }
        let openMs = opens.sorted()[2] * 1e3
        print(String(format: "mmap open: %.2f ms (median of 5)", openMs))
        return (loadSeconds, loadGBs, openMs)
    }

    /// Write-ahead-log appends per second under each fsync policy.
    private func measureWAL() throws -> [String: Any] {
        let item = UpsertItem(id: 1, tags: [], vector: (0..<walDimension).map { Float($0) / Float(walDimension) })
        var walResults: [String: Any] = [:]
        for policy in [FsyncPolicy.no, .everysec, .always] {
            let walDir = dir + "/wal-\(policy.rawValue)"
            try? FileManager.default.removeItem(atPath: walDir)
            try FileManager.default.createDirectory(atPath: walDir, withIntermediateDirectories: true)
            let wal = try WriteAheadLog(directory: walDir, nextSequence: 1, policy: policy)
            let appends = policy == .always ? max(walCount / 100, 200) : walCount
            let t = Monotonic.now()
            var it = item
            for i in 0..<appends {
                it.id = UInt64(i)
                try wal.append(kind: IndexRecordKind.upsert.rawValue, payload: IndexRecordCodec.encodeUpsertForBench([it], dimension: walDimension))
            }
            try wal.close()
            let s = Monotonic.seconds(since: t)
            let rate = Double(appends) / s
            print(String(format: "WAL %-8@ %9.0f appends/s of %d-d vectors (%d appends, %.2f s)", policy.rawValue as NSString, rate, walDimension, appends, s))
            walResults[policy.rawValue] = ["appends_per_second": rate, "appends": appends, "seconds": s]
            try? FileManager.default.removeItem(atPath: walDir)
        }
        return walResults
    }
}

/// Runs searches on a background thread and records how long each took.
final class SearchProbe: @unchecked Sendable {
    let index: HNSWIndex
    let queries: [Float]
    let dimension: Int
    private let lock = NSLock()
    private var running = true
    private var latencies: [Double] = []
    private var baseline: [Double] = []
    private let done = DispatchSemaphore(value: 0)

    init(index: HNSWIndex, queries: [Float], dimension: Int) {
        self.index = index
        self.queries = queries
        self.dimension = dimension
    }

    /// Measures a quiet baseline, then searches until `stop`.
    func start() {
        let n = queries.count / dimension
        for i in 0..<200 { baseline.append(timeOne(i % n)) }
        Thread {
            var i = 0
            while self.lock.withLock({ self.running }) {
                let t = self.timeOne(i % n)
                self.lock.withLock { self.latencies.append(t) }
                i += 1
            }
            self.done.signal()
        }.start()
    }

    private func timeOne(_ i: Int) -> Double {
        let q = Array(queries[(i * dimension)..<((i + 1) * dimension)])
        let t = Monotonic.now()
        _ = try? index.search(q, k: 10, ef: 64)
        return Monotonic.seconds(since: t) * 1e3
    }

    /// - Returns: searches run, longest and p99 latency (ms), and the longest of the quiet baseline.
    func stop() -> (Int, Double, Double, Double) {
        lock.withLock { running = false }
        done.wait()
        let sorted = latencies.sorted()
        let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return (sorted.count, sorted.last ?? 0, p99, baseline.max() ?? 0)
    }
}

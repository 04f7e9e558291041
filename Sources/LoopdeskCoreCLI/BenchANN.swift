import ArgumentParser
import CSupport
import Foundation
import Primitives
import VectorIndex

/// `loopdesk-core bench ann`: build an index from TEXMEX files, then sweep `ef`
/// with one query at a time on one thread, against exact ground truth.
struct BenchANN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ann",
        abstract: "Recall, QPS and latency of the HNSW index on .fvecs/.ivecs files."
    )

    @Option(help: "Base vectors (.fvecs).") var base: String
    @Option(help: "Query vectors (.fvecs).") var query: String
    @Option(help: "Ground-truth neighbour ids (.ivecs), nearest first.") var groundtruth: String
    @Option(help: "cosine, ip or l2.") var metric: Metric = .cosine
    @Option(name: .customLong("m"), help: "Links a node keeps per layer (M).") var m: Int = 16
    @Option(help: "Candidate list size while building.") var efConstruction: Int = 200
    @Option(help: "Comma-separated ef values to sweep.") var ef = IntegerList([10, 16, 24, 32, 48, 64, 96, 128, 256])
    @Option(help: "Threads for the build.") var threads: Int = 2
    @Option(help: "f32, f16 or int8 traversal storage.") var storage: VectorStorage = .f32
    @Flag(help: "With a compact storage, keep no f32 copies (no re-ranking).") var noFullPrecision = false
    @Flag(help: "Do not advise transparent huge pages for the index's memory (to measure their effect).") var noHugePages = false
    @Flag(help: "With a compact storage, build with f32 distances throughout (default: walk on codes, choose in f32).") var buildOnF32 = false
    @Flag(help: "After the build, renumber the slots in breadth-first graph order (HNSWIndex.reorderForLocality).") var reorder = false
    @Option(help: "Use only the first N base vectors (ground truth then comes from exact search).") var limit: Int?
    @Option(help: "Also run exact BLAS search over this many queries (0: skip).") var exactQueries: Int = 1000
    @Option(help: "Write the results as JSON here.") var json: String?

    func validate() throws {
        if let bad = ef.values.first(where: { $0 <= 0 }) { throw ValidationError("--ef values must be positive, not \(bad)") }
    }

    func run() throws {
        HugePages.advised = !noHugePages
        let efs = ef.values
        let b = try TexmexFile.readFloats(base)
        let q = try TexmexFile.readFloats(query)
        let gt = try TexmexFile.readInts(groundtruth)
        guard b.dimension == q.dimension else { throw ValidationError("base is \(b.dimension)-d, queries \(q.dimension)-d") }
        guard gt.count >= q.count else { throw ValidationError("ground truth has \(gt.count) rows for \(q.count) queries") }

        let (index, buildSeconds, indexBytes) = try build(b, queryCount: q.count)
        let runs = try sweep(index, efs: efs, queries: q, groundTruth: gt)
        let exact = try measureExact(index, queries: q, groundTruth: gt)
        let peak = peakRSSBytes()
        print(String(format: "peak RSS: %.1f MB", Double(peak) / 1e6))

        if let json {
            let out: [String: Any] = [
                "data": base, "n": b.count, "d": b.dimension, "metric": metric.rawValue, "m": m,
                "ef_construction": efConstruction, "storage": storage.rawValue, "full_precision": !noFullPrecision,
                "threads": threads, "kernels": index.kernelName,
                "build_seconds": buildSeconds, "reordered": reorder, "index_bytes": indexBytes, "peak_rss_bytes": peak,
                "runs": runs, "exact": exact,
            ]
            let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    /// Builds the index over the base vectors on `--threads` threads; returns it, the build time and its memory.
    private func build(_ b: TexmexFloats, queryCount: Int) throws -> (HNSWIndex, buildSeconds: Double, indexBytes: Int) {
        let params = IndexParameters(dimension: b.dimension, metric: metric, M: m, efConstruction: efConstruction,
                                     storage: storage, keepFullPrecision: !noFullPrecision)
        let index = try HNSWIndex(parameters: params, capacity: b.count)
        index.buildOnCodes = !buildOnF32
        print("data: \(b.count) × \(b.dimension) base, \(queryCount) queries; metric \(metric.rawValue), M \(m), efC \(efConstruction), storage \(storage.rawValue)\(storage != .f32 && !noFullPrecision ? " + f32 re-rank" : ""), kernels \(index.kernelName)")
        let t0 = Monotonic.now()
        try index.upsertBatch(ids: (0..<b.count).map(UInt64.init), vectors: b.values, threads: threads)
        let buildSeconds = Monotonic.seconds(since: t0)
        let indexBytes = index.memoryBytes
        print(String(format: "build: %.2f s on %d threads; index %.1f MB", buildSeconds, threads, Double(indexBytes) / 1e6))
        if reorder { print(String(format: "reorder: %.2f s (breadth-first graph order)", try index.reorderForLocality())) }
        return (index, buildSeconds, indexBytes)
    }

    /// Recall@10, QPS and latency percentiles for each `ef`, one query at a
    /// time on this thread; prints each run and the best QPS per recall target.
    private func sweep(_ index: HNSWIndex, efs: [Int], queries q: TexmexFloats,
                       groundTruth gt: [[Int32]]) throws -> [[String: Any]] {
        let dim = q.dimension
        var runs: [[String: Any]] = []
        var latencies = [Double](repeating: 0, count: q.count)
        for efValue in efs {
            var hitCount = 0
            let wall = Monotonic.now()
            for i in 0..<q.count {
                let vec = Array(q.values[(i * dim)..<((i + 1) * dim)])
                let t = Monotonic.now()
                let found = try index.search(vec, k: 10, ef: max(efValue, 10))
                latencies[i] = Monotonic.seconds(since: t)
                let truth = Set(gt[i].prefix(10).map { UInt64($0) })
                hitCount += found.reduce(0) { $0 + (truth.contains($1.id) ? 1 : 0) }
            }
            let elapsed = Monotonic.seconds(since: wall)
            let sorted = latencies.sorted()
            let recall = Double(hitCount) / Double(q.count * 10)
            let qps = Double(q.count) / elapsed
            let p50 = sorted[sorted.count / 2] * 1e6
            let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))] * 1e6
            print(String(format: "ef=%4d recall@10=%.4f qps=%9.0f p50=%7.1fus p99=%7.1fus", efValue, recall, qps, p50, p99))
            runs.append(["ef": efValue, "recall_at_10": recall, "qps": qps, "p50_us": p50, "p99_us": p99])
        }
        for target in [0.90, 0.95, 0.99] {
            let best = runs.filter { ($0["recall_at_10"] as! Double) >= target }.map { $0["qps"] as! Double }.max()
            print("  best qps at recall>=\(target): \(best.map { String(format: "%.0f", $0) } ?? "not reached")")
        }
        return runs
    }

    /// Batched exact (BLAS) search over the first `--exact-queries` queries on
    /// one and on two BLAS threads, with its recall; empty when skipped.
    private func measureExact(_ index: HNSWIndex, queries q: TexmexFloats,
                              groundTruth gt: [[Int32]]) throws -> [String: Any] {
        let dim = q.dimension
        var exact: [String: Any] = [:]
        if exactQueries > 0 {
            let n = min(exactQueries, q.count)
            openblas_set_num_threads(1)
            let t = Monotonic.now()
            let found = try index.exactSearch(Array(q.values[0..<(n * dim)]), k: 10)
            let batch1 = Double(n) / Monotonic.seconds(since: t)
            openblas_set_num_threads(2)
            let t2 = Monotonic.now()
            _ = try index.exactSearch(Array(q.values[0..<(n * dim)]), k: 10)
            let batch2 = Double(n) / Monotonic.seconds(since: t2)
            var hits = 0
            for i in 0..<n {
                let truth = Set(gt[i].prefix(10).map { UInt64($0) })
                hits += found[i].reduce(0) { $0 + (truth.contains($1.id) ? 1 : 0) }
            }
            let recall = Double(hits) / Double(n * 10)
            print(String(format: "exact (BLAS) batched: %.0f q/s on 1 thread, %.0f q/s on 2 threads; recall@10 %.4f", batch1, batch2, recall))
            exact = ["batch_qps_1thread": batch1, "batch_qps_2threads": batch2, "recall_at_10": recall, "queries": n]
        }
        return exact
    }
}

/// The process's peak resident set size, in bytes.
func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

/// What `TexmexFile.readFloats` returns: `count` rows of `dimension` floats.
typealias TexmexFloats = (dimension: Int, count: Int, values: [Float])

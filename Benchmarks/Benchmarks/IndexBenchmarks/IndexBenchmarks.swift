import Benchmark
import VectorIndex

/// Kernel and index-operation benchmarks (package-benchmark).
///
/// The whole-index comparisons against hnswlib, FAISS and USearch live in
/// `loopdesk-core bench ann` and `scripts/compare-anchors.sh`; these suites
/// track the building blocks between those runs.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 3,
                                           maxDuration: .seconds(2), maxIterations: 1_000_000)

    // Distance kernels, 384-d (MiniLM), on every dispatch path the CPU has.
    let n = 384
    var rng = SystemRandomNumberGenerator()
    let a = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    let b = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    let codes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for k in Kernels.available {
        Benchmark("dot f32 384-d \(k.name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(k.dot(a, b, n)) }
        }
        Benchmark("l2 f32 384-d \(k.name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(k.l2Squared(a, b, n)) }
        }
        Benchmark("dot u8 384-d \(k.name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(k.dotU8(a, codes, n)) }
        }
    }

    // Index operations on 20 k clustered 128-d vectors.
    let dim = 128, count = 20_000
    let data = clustered(count: count, dimension: dim)
    let queries = clustered(count: 200, dimension: dim, seed: 99)
    for storage in [VectorStorage.f32, .int8] {
        let index = try! HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine, storage: storage))
        try! index.upsertBatch(ids: (0..<count).map(UInt64.init), vectors: data, threads: 2)
        Benchmark("search k=10 ef=64 \(storage.rawValue) 20k×128") { benchmark in
            for i in benchmark.scaledIterations {
                let q = Array(queries[((i % 200) * dim)..<((i % 200 + 1) * dim)])
                blackHole(try! index.search(q, k: 10, ef: 64))
            }
        }
    }
    Benchmark("insert one 128-d into 20k (M 16, efC 200)", configuration: .init(maxDuration: .seconds(3))) { benchmark in
        let index = try! HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine))
        try! index.upsertBatch(ids: (0..<count).map(UInt64.init), vectors: data, threads: 2)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            try! index.upsert(id: UInt64(count + i), vector: Array(queries[((i % 200) * dim)..<((i % 200 + 1) * dim)]))
        }
    }
    let exactIndex = try! HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .innerProduct))
    try! exactIndex.upsertBatch(ids: (0..<count).map(UInt64.init), vectors: data, threads: 2, linkGraph: false)
    Benchmark("exact search batch of 200, 20k×128 (BLAS)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! exactIndex.exactSearch(queries, k: 10)) }
    }
}

func clustered(count: Int, dimension: Int, seed: UInt64 = 7) -> [Float] {
    var state = seed
    func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2000) / 1000
    }
    let centres = (0..<(64 * dimension)).map { _ in next() }
    var out = [Float](repeating: 0, count: count * dimension)
    for r in 0..<count {
        let c = Int((next() + 2) * 1000) % 64
        for i in 0..<dimension { out[r * dimension + i] = centres[c * dimension + i] + 0.3 * next() }
    }
    return out
}

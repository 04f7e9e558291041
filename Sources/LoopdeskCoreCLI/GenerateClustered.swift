import ArgumentParser
import Foundation
import VectorIndex

/// `loopdesk-core bench generate`: a clustered, unit-length data set with exact
/// ground truth, for scale tests (e.g. 1 M × 128) that no file ships.
struct GenerateClustered: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write base.fvecs, query.fvecs and groundtruth.ivecs of a clustered synthetic set."
    )

    @Option(help: "Base vectors.") var count: Int = 1_000_000
    @Option(help: "Dimension.") var dimension: Int = 128
    @Option(help: "Query vectors.") var queries: Int = 1000
    @Option(help: "Gaussian clusters the points are drawn around.") var clusters: Int = 1000
    @Option(help: "Spread of each cluster relative to the centres' scale.") var spread: Float = 0.35
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Output directory.") var out: String

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var rng = Xoshiro(seed: seed)
        let centres = (0..<(clusters * dimension)).map { _ in rng.gaussian() }
        func draw(_ n: Int) -> [Float] {
            var v = [Float](repeating: 0, count: n * dimension)
            for r in 0..<n {
                let c = Int(rng.next() % UInt64(clusters))
                var norm: Float = 0
                for i in 0..<dimension {
                    let x = centres[c * dimension + i] + spread * rng.gaussian()
                    v[r * dimension + i] = x
                    norm += x * x
                }
                let inv = 1 / norm.squareRoot()
                for i in 0..<dimension { v[r * dimension + i] *= inv }
            }
            return v
        }
        let base = draw(count)
        let query = draw(queries)
        try TexmexFile.writeFloats("\(out)/base.fvecs", dimension: dimension, values: base)
        try TexmexFile.writeFloats("\(out)/query.fvecs", dimension: dimension, values: query)
        // Exact ground truth by BLAS (inner product on unit vectors = cosine).
        let exact = try HNSWIndex(parameters: IndexParameters(dimension: dimension, metric: .innerProduct), capacity: count)
        try exact.upsertBatch(ids: (0..<count).map(UInt64.init), vectors: base, threads: 2, linkGraph: false)
        let truth = try exact.exactSearch(query, k: 100)
        try TexmexFile.writeInts("\(out)/groundtruth.ivecs", rows: truth.map { $0.map { Int32($0.id) } })
        print("wrote \(count) × \(dimension) base, \(queries) queries and top-100 ground truth to \(out)")
    }
}

/// xoshiro256** with a Box–Muller Gaussian, for reproducible synthetic data.
struct Xoshiro {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    init(seed: UInt64) {
        var x = seed
        func mix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (mix(), mix(), mix(), mix())
    }
    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }
    mutating func uniform() -> Float { Float(next() >> 40) * 0x1.0p-24 }
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

import Foundation
import VectorIndex

/// Reproducible test vectors and the recall arithmetic the tests share.
enum TestData {
    /// `count × dimension` Gaussian components from a fixed seed.
    static func gaussian(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var rng = TestRNG(seed: seed)
        return (0..<(count * dimension)).map { _ in rng.gaussian() }
    }

    /// Points around `clusters` centres: closer to real embeddings than pure noise.
    static func clustered(count: Int, dimension: Int, clusters: Int, seed: UInt64) -> [Float] {
        var rng = TestRNG(seed: seed)
        let centres = (0..<(clusters * dimension)).map { _ in rng.gaussian() }
        var out = [Float](repeating: 0, count: count * dimension)
        for r in 0..<count {
            let c = Int(rng.next() % UInt64(clusters))
            for i in 0..<dimension { out[r * dimension + i] = centres[c * dimension + i] + 0.5 * rng.gaussian() }
        }
        return out
    }

    /// Clustered points rescaled to norms in 0.8…1.2, as unnormalised sentence embeddings are:
    /// the data inner-product search is used on (HNSW is known to degrade on wildly varying norms).
    static func embeddingLike(count: Int, dimension: Int, clusters: Int, seed: UInt64) -> [Float] {
        var v = clustered(count: count, dimension: dimension, clusters: clusters, seed: seed)
        var rng = TestRNG(seed: seed ^ 0xABCD)
        for r in 0..<count {
            var norm: Float = 0
            for i in 0..<dimension { norm += v[r * dimension + i] * v[r * dimension + i] }
            let scale = (0.8 + 0.4 * rng.uniform()) / norm.squareRoot()
            for i in 0..<dimension { v[r * dimension + i] *= scale }
        }
        return v
    }

    static func row(_ values: [Float], _ r: Int, dimension: Int) -> [Float] {
        Array(values[(r * dimension)..<((r + 1) * dimension)])
    }

    /// Mean fraction of the true top-k found.
    static func recall(found: [[SearchHit]], truth: [[SearchHit]], k: Int) -> Double {
        var hits = 0
        for (f, t) in zip(found, truth) {
            let want = Set(t.prefix(k).map(\.id))
            hits += f.prefix(k).filter { want.contains($0.id) }.count
        }
        return Double(hits) / Double(truth.count * k)
    }

    /// The shared data directory beside the checkout, if present.
    static var sharedData: URL? {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("../shared/data").standardized
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("pypi-minilm-50k/base.fvecs").path) {
                return candidate
            }
            dir.deleteLastPathComponent()
        }
        return nil
    }
}

struct TestRNG {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x1234_5678 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) * 0x1.0p-24 }
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
    }
}

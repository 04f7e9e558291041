import XCTest
import VectorIndex

/// Recall of the graph against exact (BLAS) search, per metric and storage.
final class RecallTests: XCTestCase {
    let dim = 48

    private func build(_ p: IndexParameters, _ data: [Float], threads: Int = 2) throws -> HNSWIndex {
        let index = try HNSWIndex(parameters: p, capacity: 10_000)
        let n = data.count / p.dimension
        try index.upsertBatch(ids: (0..<n).map { UInt64($0) * 7 + 3 }, vectors: data, threads: threads)
        return index
    }

    func testRecallAgainstExactSearchForEveryMetric() throws {
        let data = TestData.embeddingLike(count: 4000, dimension: dim, clusters: 40, seed: 1)
        let queries = TestData.embeddingLike(count: 100, dimension: dim, clusters: 40, seed: 2)
        for metric in Metric.allCases {
            let index = try build(IndexParameters(dimension: dim, metric: metric, M: 16, efConstruction: 100), data)
            XCTAssertEqual(index.count, 4000)
            let truth = try index.exactSearch(queries, k: 10)
            let found = try index.searchBatch(queries, k: 10, ef: 128, threads: 2)
            let recall = TestData.recall(found: found, truth: truth, k: 10)
            XCTAssertGreaterThanOrEqual(recall, 0.95, "\(metric) recall@10 \(recall)")
            // Results come nearest first, with the distance the metric defines.
            for hits in found {
                XCTAssertEqual(hits.count, 10)
                XCTAssertEqual(hits.map(\.distance), hits.map(\.distance).sorted())
            }
        }
    }

    func testCompactStoragesKeepRecallAgainstF32GroundTruth() throws {
        let data = TestData.clustered(count: 4000, dimension: dim, clusters: 40, seed: 3)
        let queries = TestData.clustered(count: 100, dimension: dim, clusters: 40, seed: 4)
        let reference = try build(IndexParameters(dimension: dim, metric: .cosine), data)
        let truth = try reference.exactSearch(queries, k: 10)
        for storage in [VectorStorage.f16, .int8] {
            for keep in [true, false] {
                let p = IndexParameters(dimension: dim, metric: .cosine, storage: storage, keepFullPrecision: keep)
                let index = try build(p, data)
                let recall = TestData.recall(found: try index.searchBatch(queries, k: 10, ef: 96), truth: truth, k: 10)
                XCTAssertGreaterThanOrEqual(recall, keep ? 0.95 : 0.85, "\(storage) keepFullPrecision=\(keep): \(recall)")
                if !keep { XCTAssertLessThan(index.memoryBytes, reference.memoryBytes) }
            }
        }
    }

    func testExactSearchEqualsNaiveScan() throws {
        let data = TestData.gaussian(count: 3000, dimension: 20, seed: 5)
        let queries = TestData.gaussian(count: 7, dimension: 20, seed: 6)
        for metric in Metric.allCases {
            let index = try HNSWIndex(parameters: IndexParameters(dimension: 20, metric: metric))
            try index.upsertBatch(ids: (0..<3000).map(UInt64.init), vectors: data, threads: 1, linkGraph: false)
            let exact = try index.exactSearch(queries, k: 5)
            for q in 0..<7 {
                let qv = TestData.row(queries, q, dimension: 20)
                let scored = (0..<3000).map { r -> (UInt64, Double) in
                    let v = TestData.row(data, r, dimension: 20)
                    switch metric {
                    case .l2: return (UInt64(r), zip(qv, v).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) })
                    case .innerProduct: return (UInt64(r), 1 - zip(qv, v).reduce(0.0) { $0 + Double($1.0 * $1.1) })
                    case .cosine:
                        let d = zip(qv, v).reduce(0.0) { $0 + Double($1.0 * $1.1) }
                        let nq = qv.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
                        let nv = v.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
                        return (UInt64(r), 1 - d / (nq * nv))
                    }
                }.sorted { $0.1 < $1.1 }
                XCTAssertEqual(exact[q].map(\.id), scored.prefix(5).map(\.0), "\(metric) query \(q)")
                for (hit, want) in zip(exact[q], scored) {
                    XCTAssertEqual(Double(hit.distance), want.1, accuracy: 1e-3 * max(1, abs(want.1)))
                }
            }
        }
    }

    /// Real 384-d MiniLM embeddings with the shipped exact ground truth.
    func testRecallOnSharedMiniLMData() throws {
        guard let shared = TestData.sharedData else {
            throw XCTSkip("../shared/data is absent: the MiniLM recall test needs pypi-minilm-50k")
        }
        let dir = shared.appendingPathComponent("pypi-minilm-50k").path
        let base = try TexmexFile.readFloats("\(dir)/base.fvecs")
        let query = try TexmexFile.readFloats("\(dir)/query.fvecs", limit: 200)
        let truth = try TexmexFile.readInts("\(dir)/groundtruth.ivecs", limit: 200)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: base.dimension, metric: .cosine), capacity: base.count)
        try index.upsertBatch(ids: (0..<base.count).map(UInt64.init), vectors: base.values, threads: 2)
        let found = try index.searchBatch(query.values, k: 10, ef: 96, threads: 2)
        let truthHits = truth.map { $0.prefix(10).map { SearchHit(id: UInt64($0), distance: 0) } }
        let recall = TestData.recall(found: found, truth: truthHits, k: 10)
        XCTAssertGreaterThanOrEqual(recall, 0.97, "MiniLM recall@10 at ef 96: \(recall)")
        // Our exact search agrees with the shipped ground truth.
        let exact = try index.exactSearch(Array(query.values[0..<(20 * base.dimension)]), k: 10)
        XCTAssertGreaterThanOrEqual(TestData.recall(found: exact, truth: Array(truthHits.prefix(20)), k: 10), 0.99)
    }
}

import XCTest
import VectorIndex

/// Upsert, delete, repair and filters.
final class MutationTests: XCTestCase {
    let dim = 32

    func testUpsertReplacesTheVector() throws {
        let data = TestData.gaussian(count: 500, dimension: dim, seed: 11)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .l2))
        try index.upsertBatch(ids: (0..<500).map(UInt64.init), vectors: data)
        let target = TestData.gaussian(count: 1, dimension: dim, seed: 12).map { $0 * 10 }
        try index.upsert(id: 42, vector: target, tags: ["moved"])
        XCTAssertEqual(index.count, 500)
        let hit = try index.search(target, k: 1, ef: 50)
        XCTAssertEqual(hit.first?.id, 42)
        XCTAssertEqual(Double(hit.first!.distance), 0, accuracy: 1e-3)
        XCTAssertEqual(index.get(id: 42)?.vector, target)
        XCTAssertEqual(index.get(id: 42)?.tags, ["moved"])
        // The old vector no longer answers for 42.
        let old = TestData.row(data, 42, dimension: dim)
        XCTAssertNotEqual(try index.search(old, k: 1, ef: 50).first?.id, 42)
        XCTAssertThrowsError(try index.insert(id: 42, vector: target)) { error in
            XCTAssertEqual(error as? IndexError, .duplicateID(42))
        }
    }

    func testDeletingThirtyPercentKeepsRecallAndNeverReturnsDeleted() throws {
        let n = 6000
        let data = TestData.clustered(count: n, dimension: dim, clusters: 50, seed: 13)
        let queries = TestData.clustered(count: 100, dimension: dim, clusters: 50, seed: 14)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine))
        try index.upsertBatch(ids: (0..<n).map(UInt64.init), vectors: data)
        let before = TestData.recall(found: try index.searchBatch(queries, k: 10, ef: 64),
                                     truth: try index.exactSearch(queries, k: 10), k: 10)
        var rng = TestRNG(seed: 15)
        var deleted = Set<UInt64>()
        while deleted.count < n * 3 / 10 {
            let id = rng.next() % UInt64(n)
            if deleted.insert(id).inserted { try index.delete(id: id) }
        }
        XCTAssertEqual(index.count, n - deleted.count)
        let found = try index.searchBatch(queries, k: 10, ef: 64)
        for hits in found {
            XCTAssertEqual(hits.count, 10)
            for h in hits { XCTAssertFalse(deleted.contains(h.id), "deleted id \(h.id) returned") }
        }
        let after = TestData.recall(found: found, truth: try index.exactSearch(queries, k: 10), k: 10)
        XCTAssertGreaterThanOrEqual(after, 0.95, "recall after 30 % deletes: \(after) (before: \(before))")
        // Freed slots are reused and the graph still works after more inserts.
        let extra = TestData.clustered(count: 1000, dimension: dim, clusters: 50, seed: 16)
        try index.upsertBatch(ids: (0..<1000).map { UInt64(n + $0) }, vectors: extra)
        let again = TestData.recall(found: try index.searchBatch(queries, k: 10, ef: 64),
                                    truth: try index.exactSearch(queries, k: 10), k: 10)
        XCTAssertGreaterThanOrEqual(again, 0.95)
        index.compact()
        XCTAssertEqual(index.deletedCount, 0)
    }

    func testDeletingEverythingLeavesAnEmptySearchableIndex() throws {
        let index = try HNSWIndex(parameters: IndexParameters(dimension: 4, metric: .l2))
        try index.upsertBatch(ids: [1, 2, 3], vectors: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], threads: 1)
        for id in [UInt64(1), 2, 3] { try index.delete(id: id) }
        XCTAssertEqual(try index.search([1, 0, 0, 0], k: 3), [])
        try index.upsert(id: 9, vector: [0, 0, 0, 1])
        XCTAssertEqual(try index.search([0, 0, 0, 1], k: 3).map(\.id), [9])
    }

    func testFilteredSearchAtFivePercentSelectivity() throws {
        let n = 8000
        let data = TestData.clustered(count: n, dimension: dim, clusters: 40, seed: 17)
        let tags: [[String]] = (0..<n).map { i in
            ["tenant:\(i % 20)", i % 3 == 0 ? "category:billing" : "category:other"]
        }
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine))
        try index.upsertBatch(ids: (0..<n).map(UInt64.init), vectors: data, tags: tags)
        let queries = TestData.clustered(count: 50, dimension: dim, clusters: 40, seed: 18)
        for filter in [Filter(allOf: ["tenant:7"]),                        // 5 %
                       Filter(allOf: ["category:billing"]),                // 33 %: graph walk
                       Filter(anyOf: ["tenant:1", "tenant:2"]),            // 10 %
                       Filter(allOf: ["tenant:3", "category:billing"])] {  // ~1.7 %
            let truth = try index.exactSearch(queries, k: 10, filter: filter)
            let found = try index.searchBatch(queries, k: 10, ef: 64, filter: filter)
            for hits in found {
                for h in hits {
                    let t = Set(tags[Int(h.id)])
                    XCTAssertTrue(filter.allOf.allSatisfy(t.contains), "\(h.id) fails \(filter)")
                    XCTAssertTrue(filter.anyOf.isEmpty || filter.anyOf.contains(where: t.contains))
                }
            }
            let recall = TestData.recall(found: found, truth: truth, k: 10)
            XCTAssertGreaterThanOrEqual(recall, 0.9, "\(filter): recall \(recall)")
        }
        XCTAssertEqual(try index.search(TestData.row(queries, 0, dimension: dim), k: 5, filter: Filter(allOf: ["nope"])), [])
    }

    func testBadInputIsRefusedPrecisely() throws {
        let index = try HNSWIndex(parameters: IndexParameters(dimension: 3, metric: .cosine))
        try index.upsert(id: 1, vector: [1, 2, 3])
        func expect(_ error: IndexError, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body()) { XCTAssertEqual($0 as? IndexError, error, "\($0)") }
        }
        expect(.wrongDimension(expected: 3, got: 2)) { try index.upsert(id: 2, vector: [1, 2]) }
        expect(.nonFiniteComponent(position: 1)) { try index.upsert(id: 2, vector: [1, .nan, 3]) }
        expect(.nonFiniteComponent(position: 2)) { try index.upsert(id: 2, vector: [1, 2, .infinity]) }
        expect(.zeroVector) { try index.upsert(id: 2, vector: [0, 0, 0]) }
        expect(.invalidK(0)) { _ = try index.search([1, 2, 3], k: 0) }
        expect(.invalidK(-1)) { _ = try index.search([1, 2, 3], k: -1) }
        expect(.efBelowK(ef: 5, k: 10)) { _ = try index.search([1, 2, 3], k: 10, ef: 5) }
        expect(.unknownID(99)) { try index.delete(id: 99) }
        expect(.wrongDimension(expected: 3, got: 4)) { _ = try index.search([1, 2, 3, 4], k: 1) }
        expect(.nonFiniteComponent(position: 0)) { _ = try index.search([.nan, 2, 3], k: 1) }
        expect(.emptyBatch) { try index.upsertBatch(ids: [], vectors: []) }
        expect(.duplicateID(5)) { try index.upsertBatch(ids: [5, 5], vectors: [1, 1, 1, 2, 2, 2]) }
        XCTAssertThrowsError(try HNSWIndex(parameters: IndexParameters(dimension: 0)))
        XCTAssertThrowsError(try HNSWIndex(parameters: IndexParameters(dimension: 8, M: 1)))
        // Nothing above changed the index.
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(try index.search([1, 2, 3], k: 1).map(\.id), [1])
    }

    func testCapacityIsEnforcedWithoutCorruptingTheIndex() throws {
        let index = try HNSWIndex(parameters: IndexParameters(dimension: 2, metric: .l2), capacity: 3)
        try index.upsertBatch(ids: [1, 2], vectors: [0, 0, 1, 1], threads: 1)
        XCTAssertThrowsError(try index.upsertBatch(ids: [3, 4], vectors: [2, 2, 3, 3], threads: 1)) {
            XCTAssertEqual($0 as? IndexError, .capacityExceeded(limit: 3))
        }
        XCTAssertEqual(index.count, 2)
        try index.upsert(id: 3, vector: [2, 2])
        XCTAssertEqual(try index.search([2, 2], k: 1).map(\.id), [3])
    }
}

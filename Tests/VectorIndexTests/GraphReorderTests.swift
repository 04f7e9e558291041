import LoopdeskTestSupport
@testable import VectorIndex
import XCTest

/// Graph-order renumbering (`HNSWIndex.reorderForLocality`): the slots move,
/// nothing a caller sees does — the same hits and distances for plain and
/// filtered searches in every storage, deletes and tombstones kept, and the
/// index keeps taking writes, repairs and snapshots afterwards.
final class GraphReorderTests: XCTestCase {
    let dim = 24

    private func makeIndex(storage: VectorStorage, metric: Metric) throws -> HNSWIndex {
        let n = 1500
        let data = TestData.clustered(count: n, dimension: dim, clusters: 20, seed: 41)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: metric, M: 8, efConstruction: 100,
                                                              storage: storage))
        // Inserted in an order unrelated to the graph, so the breadth-first order differs from it.
        let ids = (0..<n).map { UInt64(($0 * 7919) % n) + 1000 }
        try index.upsertBatch(ids: ids, vectors: data, tags: (0..<n).map { ["t:\($0 % 7)"] })
        for id in stride(from: 1000, to: 1090, by: 3) { try index.delete(id: UInt64(id)) }
        return index
    }

    func testSearchesGiveTheSameHitsAfterRenumberingInEveryStorage() throws {
        let queries = TestData.clustered(count: 40, dimension: dim, clusters: 20, seed: 42)
        for storage in VectorStorage.allCases {
            let metric: Metric = storage == .f16 ? .l2 : .cosine
            let index = try makeIndex(storage: storage, metric: metric)
            let expected = try index.searchBatch(queries, k: 10, ef: 64)
            let filtered = try index.searchBatch(queries, k: 5, ef: 64, filter: Filter(allOf: ["t:3"]))
            let slotsBefore = index.withBookkeeping { index.slotOfID }
            let (count, deleted) = (index.count, index.deletedCount)

            try index.reorderForLocality()

            XCTAssertNotEqual(index.withBookkeeping { index.slotOfID }, slotsBefore, "\(storage): the slots moved")
            XCTAssertEqual(index.graph.entry?.slot, 0, "\(storage): the entry point is the first slot")
            XCTAssertEqual(try index.searchBatch(queries, k: 10, ef: 64), expected, "\(storage)")
            XCTAssertEqual(try index.searchBatch(queries, k: 5, ef: 64, filter: Filter(allOf: ["t:3"])), filtered, "\(storage)")
            XCTAssertEqual(index.count, count)
            XCTAssertEqual(index.deletedCount, deleted)
            XCTAssertEqual(index.get(id: 1001)?.vector.count, dim)
            XCTAssertNil(index.get(id: 1000), "a deleted id stays deleted")
        }
    }

    /// The breadth-first order is a permutation that starts at the entry
    /// point and puts each node's first unseen neighbours right after the nodes before it.
    func testTheOrderIsAPermutationStartingAtTheEntryPoint() throws {
        let index = try makeIndex(storage: .f32, metric: .cosine)
        let g = index.graph
        let order = g.breadthFirstOrder()
        XCTAssertEqual(order.count, Int(g.slotCount))
        XCTAssertEqual(Set(order).count, order.count)
        XCTAssertEqual(order.first, g.entry?.slot)
        // The entry's neighbours come next, in link order.
        let list = g.linkList(order[0], level: 0)
        let neighbours = (0..<Int(list.pointee)).map { list[1 + $0] }
        XCTAssertEqual(Array(order[1...neighbours.count]), neighbours)
    }

    /// After renumbering, the index takes upserts, deletes past the repair
    /// threshold (which frees and reuses slots) and a snapshot round trip.
    func testTheIndexKeepsWorkingAfterRenumbering() throws {
        let index = try makeIndex(storage: .int8, metric: .cosine)
        try index.reorderForLocality()
        let extra = TestData.clustered(count: 200, dimension: dim, clusters: 20, seed: 43)
        try index.upsertBatch(ids: (0..<200).map { UInt64($0) + 90_000 }, vectors: extra)
        XCTAssertEqual(try index.search(TestData.row(extra, 5, dimension: dim), k: 1).first?.id, 90_005)
        // Past the repair threshold: the repair unlinks and frees slots.
        try index.deleteBatch(ids: (1100..<1600).map { UInt64($0) })
        XCTAssertEqual(index.deletedCount, 0, "repaired")
        try index.reorderForLocality()
        try index.upsertBatch(ids: (0..<100).map { UInt64($0) + 95_000 }, vectors: Array(extra[0..<(100 * dim)]))
        let queries = TestData.clustered(count: 20, dimension: dim, clusters: 20, seed: 44)
        let expected = try index.searchBatch(queries, k: 10, ef: 64)
        XCTAssertFalse(expected.joined().contains { (1100..<1600).contains($0.id) })

        let dir = try TemporaryDirectory(prefix: "reorder")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("r.ldx").path
        try index.writeSnapshot(collection: "c", to: path, context: { (1, []) })
        let (loaded, _, _) = try HNSWIndex.load(path: path, mode: .full)
        XCTAssertEqual(try loaded.searchBatch(queries, k: 10, ef: 64), expected)
        XCTAssertEqual(loaded.count, index.count)
    }
}

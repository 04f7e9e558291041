import Dispatch
import Foundation
import XCTest
import VectorIndex

/// Many searches while one writer inserts and deletes: no crash, no torn
/// result, and no id deleted before a search began is ever returned.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentReadersWithOneWriter() throws {
        let dim = 24
        let n = 3000
        let data = TestData.clustered(count: n, dimension: dim, clusters: 30, seed: 21)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine, M: 8, efConstruction: 64))
        try index.upsertBatch(ids: (0..<(n / 2)).map(UInt64.init), vectors: Array(data[0..<(n / 2 * dim)]))
        let deletedBefore = DeletedLog()
        let failures = DeletedLog()

        let group = DispatchGroup()
        let queue = DispatchQueue(label: "concurrency-test", attributes: .concurrent)
        queue.async(group: group) {
            // The writer: inserts the second half one by one, deleting every third id as it goes.
            for i in (n / 2)..<n {
                try? index.upsert(id: UInt64(i), vector: TestData.row(data, i, dimension: dim))
                if i % 3 == 0 {
                    let victim = UInt64(i - n / 2)
                    if (try? index.delete(id: victim)) != nil { deletedBefore.add(victim) }
                }
            }
        }
        for reader in 0..<3 {
            queue.async(group: group) {
                var rng = TestRNG(seed: UInt64(100 + reader))
                for _ in 0..<400 {
                    let gone = deletedBefore.snapshot()
                    let q = TestData.row(data, Int(rng.next() % UInt64(n)), dimension: dim)
                    guard let hits = try? index.search(q, k: 10, ef: 40) else {
                        failures.add(UInt64.max)
                        continue
                    }
                    if hits.map(\.distance) != hits.map(\.distance).sorted() { failures.add(UInt64.max - 1) }
                    if Set(hits.map(\.id)).count != hits.count { failures.add(UInt64.max - 2) }
                    for h in hits where gone.contains(h.id) { failures.add(h.id) }
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 300), .success)
        XCTAssertEqual(failures.snapshot(), [], "searches returned deleted ids or torn results")
        XCTAssertEqual(index.count, n - deletedBefore.snapshot().count)
        // The final graph still finds what it holds.
        let probe = (0..<50).map { n - 1 - $0 }.filter { $0 % 3 != 0 || $0 >= n / 2 }
        var found = 0
        for i in probe where index.contains(id: UInt64(i)) {
            if try index.search(TestData.row(data, i, dimension: dim), k: 1, ef: 64).first?.id == UInt64(i) { found += 1 }
        }
        XCTAssertGreaterThanOrEqual(found, probe.count * 9 / 10)
    }
}

final class DeletedLog: @unchecked Sendable {
    private var ids = Set<UInt64>()
    private let lock = NSLock()
    func add(_ id: UInt64) { lock.lock(); ids.insert(id); lock.unlock() }
    func snapshot() -> Set<UInt64> { lock.lock(); defer { lock.unlock() }; return ids }
}

import Foundation
import LoopdeskTestSupport
import XCTest
@testable import VectorIndex

/// Snapshots: round trips in both load modes, and every kind of damage detected.
final class SnapshotTests: XCTestCase {
    let dim = 24
    private var temporary: TemporaryDirectory!
    var dir: URL!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "snap")
        dir = temporary.url
    }

    override func tearDownWithError() throws {
        temporary.remove()
    }

    private func makeIndex(storage: VectorStorage = .f32, metric: Metric = .cosine) throws -> HNSWIndex {
        let n = 1500
        let data = TestData.clustered(count: n, dimension: dim, clusters: 20, seed: 31)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: metric, storage: storage))
        let tags = (0..<n).map { ["t:\($0 % 7)"] }
        try index.upsertBatch(ids: (0..<n).map { UInt64($0) + 1000 }, vectors: data, tags: tags)
        for id in stride(from: 1000, to: 1100, by: 3) { try index.delete(id: UInt64(id)) }
        return index
    }

    func testRoundTripGivesIdenticalSearchResultsInBothModes() throws {
        for storage in VectorStorage.allCases {
            let index = try makeIndex(storage: storage, metric: storage == .f16 ? .l2 : .cosine)
            let path = dir.appendingPathComponent("rt-\(storage).ldx").path
            try index.writeSnapshot(collection: "faq", to: path, context: { (42, [ExtraSection(type: .rankerState, bytes: [1, 2, 3])]) })
            let queries = TestData.clustered(count: 30, dimension: dim, clusters: 20, seed: 32)
            let expected = try index.searchBatch(queries, k: 10, ef: 64)
            let filtered = try index.searchBatch(queries, k: 5, ef: 64, filter: Filter(allOf: ["t:3"]))
            for mode in [LoadMode.full, .mapped] {
                let (loaded, info, extras) = try HNSWIndex.load(path: path, mode: mode)
                XCTAssertEqual(info.collection, "faq")
                XCTAssertEqual(info.walSequence, 42)
                XCTAssertEqual(extras.map(\.bytes), [[1, 2, 3]])
                XCTAssertEqual(loaded.count, index.count, "\(storage) \(mode)")
                XCTAssertEqual(loaded.deletedCount, index.deletedCount)
                XCTAssertEqual(try loaded.searchBatch(queries, k: 10, ef: 64), expected, "\(storage) \(mode)")
                XCTAssertEqual(try loaded.searchBatch(queries, k: 5, ef: 64, filter: Filter(allOf: ["t:3"])), filtered)
                XCTAssertEqual(loaded.get(id: 1001), index.get(id: 1001))
                if mode == .mapped {
                    XCTAssertThrowsError(try loaded.upsert(id: 1, vector: [Float](repeating: 1, count: dim))) {
                        XCTAssertEqual($0 as? PersistenceError, .readOnly)
                    }
                } else {
                    // A fully loaded index keeps working as a normal one.
                    try loaded.upsert(id: 1, vector: TestData.row(queries, 0, dimension: dim))
                    XCTAssertEqual(try loaded.search(TestData.row(queries, 0, dimension: dim), k: 1).first?.id, 1)
                    try loaded.delete(id: 1001)
                    XCTAssertFalse(try loaded.searchBatch(queries, k: 10, ef: 64).joined().contains { $0.id == 1001 })
                }
            }
        }
    }

    func testAFlippedByteInAnySectionIsDetected() throws {
        let index = try makeIndex(storage: .int8)
        let path = dir.appendingPathComponent("flip.ldx").path
        try index.writeSnapshot(collection: "c", to: path, context: { (1, [ExtraSection(type: .rankerState, bytes: [9, 9])]) })
        let info = try SnapshotInfo.read(path: path)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var rng = TestRNG(seed: 33)
        for section in info.sections where section.length > 0 {
            var damaged = original
            let at = section.offset + Int(rng.next() % UInt64(section.length))
            damaged[at] ^= 0x40
            let bad = dir.appendingPathComponent("flip-\(section.name).ldx").path
            try damaged.write(to: URL(fileURLWithPath: bad))
            XCTAssertThrowsError(try HNSWIndex.load(path: bad, mode: .full), section.name) { error in
                guard case let .corrupt(_, offset, reason) = error as? PersistenceError else {
                    return XCTFail("\(section.name): \(error)")
                }
                XCTAssertEqual(offset, section.offset, reason)
                XCTAssertTrue(reason.contains(section.name), reason)
            }
            XCTAssertThrowsError(try SnapshotVerifier.verify(path: bad))
        }
        // The header too: any byte of the page.
        for at in [0, 9, 20, 50, 300, 4000] {
            var damaged = original
            damaged[at] ^= 0x01
            let bad = dir.appendingPathComponent("hdr-\(at).ldx").path
            try damaged.write(to: URL(fileURLWithPath: bad))
            XCTAssertThrowsError(try HNSWIndex.load(path: bad, mode: .mapped), "header byte \(at)")
        }
        XCTAssertNoThrow(try SnapshotVerifier.verify(path: path))
    }

    func testTruncationAnywhereIsAnErrorNeverACrash() throws {
        let index = try makeIndex()
        let path = dir.appendingPathComponent("trunc.ldx").path
        try index.writeSnapshot(collection: "c", to: path)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var rng = TestRNG(seed: 34)
        var cuts = [0, 1, 7, 8, 100, 4095, 4096, 4097, original.count - 1]
        for _ in 0..<20 { cuts.append(Int(rng.next() % UInt64(original.count))) }
        for cut in cuts {
            let bad = dir.appendingPathComponent("cut-\(cut).ldx").path
            try original.prefix(cut).write(to: URL(fileURLWithPath: bad))
            for mode in [LoadMode.full, .mapped] {
                XCTAssertThrowsError(try HNSWIndex.load(path: bad, mode: mode), "cut at \(cut)") { error in
                    XCTAssertNotNil(error as? PersistenceError, "\(error)")
                }
            }
        }
    }

    func testANewerMajorVersionIsRefusedWithAnUpgradeMessage() throws {
        let index = try makeIndex()
        let path = dir.appendingPathComponent("v2.ldx").path
        try index.writeSnapshot(collection: "c", to: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[SnapshotFormat.Field.major] = 2
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HNSWIndex.load(path: path)) {
            XCTAssertEqual($0 as? PersistenceError, .unsupportedVersion(path: path, found: 2, supported: 1))
            XCTAssertTrue("\($0)".contains("upgrade"))
        }
    }
}

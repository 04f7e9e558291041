import Foundation
import LoopdeskTestSupport
import XCTest
@testable import VectorIndex

/// Recovery never serves a silent partial index: every snapshot rejected, or log
/// records missing after the snapshot, refuses to open (naming the files and what
/// to run) unless the operator allows it; replay counts what it rejects; the group
/// map comes back exactly as the live path left it.
final class RecoveryGapTests: XCTestCase {
    let dim = 8
    private var temporary: TemporaryDirectory!
    private var root: String!
    private var collectionDirectory: String { root + "/collections/c" }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "gap")
        root = temporary.file("data")
    }

    override func tearDownWithError() throws { temporary.remove() }

    private func item(_ id: Int, group: UInt64 = 0) -> UpsertItem {
        UpsertItem(id: UInt64(id), group: group, vector: (0..<dim).map { Float(($0 * 5 + id * 11) % 19) + 1 })
    }

    /// 20 vectors and a snapshot (keeping one, so the log before it is pruned), then 5 more.
    private func buildWithOneSnapshot() throws {
        let data = try DataDirectory(path: root, policy: .always, keepSnapshots: 1)
        let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2))
        try c.upsert((0..<20).map { item($0) })
        try c.upsert((20..<22).map { item($0) })
        try c.snapshot()
        try c.upsert((22..<25).map { item($0) })
        try c.close()
    }

    private func open(allowPartial: Bool = false) throws -> (DurableCollection, RecoveryReport) {
        let data = try DataDirectory(path: root, policy: .always, keepSnapshots: 1)
        data.allowPartialRecovery = allowPartial
        return try data.openCollection("c")
    }

    private func damage(_ path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[SnapshotFormat.headerBytes + 16] ^= 0x40   // inside the first section
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    func testEverySnapshotRejectedRefusesToOpenNamingTheFilesAndTheCommands() throws {
        try buildWithOneSnapshot()
        let snapshot = try XCTUnwrap(DurableCollection.snapshots(in: collectionDirectory).last?.path)
        try damage(snapshot)
        XCTAssertThrowsError(try open()) { error in
            guard case let .partialRecovery(directory, reason)? = error as? PersistenceError else { return XCTFail("\(error)") }
            XCTAssertEqual(directory, collectionDirectory)
            XCTAssertTrue(reason.contains((snapshot as NSString).lastPathComponent), reason)
            let text = "\(error)"
            XCTAssertTrue(text.contains("loopdesk-core verify") && text.contains("loopdesk-core restore")
                          && text.contains("--allow-partial-recovery"), text)
        }
        let (c, report) = try open(allowPartial: true)
        XCTAssertNotNil(report.partial)
        XCTAssertEqual(report.rejectedSnapshots.count, 1)
        XCTAssertEqual(c.index.count, 3, "only the records logged after the lost snapshot are left")
    }

    func testAGapBetweenTheSnapshotAndTheOldestLogSegmentRefusesToOpen() throws {
        try buildWithOneSnapshot()
        // The snapshot is gone (deleted by hand): the log before it was pruned, so records 1–2 are nowhere.
        for snapshot in DurableCollection.snapshots(in: collectionDirectory) { try FileManager.default.removeItem(atPath: snapshot.path) }
        XCTAssertThrowsError(try open()) { error in
            guard case let .partialRecovery(_, reason)? = error as? PersistenceError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("records 1–2 are missing"), reason)
            XCTAssertTrue(reason.contains("wal-"), reason)
        }
        let (c, report) = try open(allowPartial: true)
        XCTAssertTrue(report.partial?.contains("missing") ?? false)
        XCTAssertEqual(c.index.count, 3)
    }

    func testAWholeCollectionOpensWithoutComplaint() throws {
        try buildWithOneSnapshot()
        let (c, report) = try open()
        XCTAssertNil(report.partial)
        XCTAssertEqual(c.index.count, 25)
    }

    func testReplayCountsTheRecordsItRejects() throws {
        do {
            let data = try DataDirectory(path: root, policy: .always)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2))
            try c.upsert([item(1), item(2)])
            // A logged delete of an id that does not exist (as a change that failed when first applied).
            try c.wal.append(kind: IndexRecordKind.delete.rawValue, payload: IndexRecordCodec.encodeDelete([999]))
            try c.upsert([item(3)])
            try c.close()
        }
        let (c, report) = try open()
        XCTAssertEqual(report.rejectedRecords, 1)
        XCTAssertEqual(report.rejectedRecordSamples.first?.sequence, 2)
        XCTAssertEqual(report.replay.records, 3)
        XCTAssertEqual(c.index.count, 3)
    }

    func testTheGroupMapIsRebuiltExactlyAsTheLivePathBuiltIt() throws {
        var live: [UInt64: UInt64?] = [:]
        do {
            let data = try DataDirectory(path: root, policy: .always)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2))
            try c.upsert([item(1, group: 10), item(2, group: 20), item(3, group: 30)])
            try c.upsert([item(2)])               // re-upserted without a group: it has none now
            try c.upsert([item(3, group: 31)])    // moved to another group
            try c.delete(ids: [1])
            for id: UInt64 in [1, 2, 3] { live[id] = c.group(of: id) }
            try c.close()
        }
        XCTAssertEqual(live, [1: nil, 2: nil, 3: 31])
        let (c, _) = try open()
        for id: UInt64 in [1, 2, 3] { XCTAssertEqual(c.group(of: id), live[id] ?? nil, "group of \(id)") }
    }
}

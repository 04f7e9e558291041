import Foundation
import LoopdeskTestSupport
import XCTest
import VectorIndex

/// The write-ahead log and the data directory: what is acknowledged survives,
/// torn tails are trimmed, damage in the middle is refused with its place.
final class DurabilityTests: XCTestCase {
    let dim = 16
    private var temporary: TemporaryDirectory!
    /// The data directory: a path inside the temporary directory, not created yet.
    var root: String!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "dur")
        root = temporary.file("data")
    }

    override func tearDownWithError() throws {
        temporary.remove()
    }

    private func vector(_ i: Int) -> [Float] { TestData.row(TestData.gaussian(count: 1, dimension: dim, seed: UInt64(i)), 0, dimension: dim) }

    private func items(_ range: Range<Int>) -> [UpsertItem] {
        range.map { UpsertItem(id: UInt64($0), group: UInt64($0 % 5 + 1), tags: ["g:\($0 % 3)"], vector: vector($0)) }
    }

    /// A fresh directory object for the same path, as a restarted process would have.
    private func reopen(_ name: String = "c", policy: FsyncPolicy = .always) throws -> (DataDirectory, DurableCollection, RecoveryReport) {
        let data = try DataDirectory(path: root, policy: policy)
        let (c, report) = try data.openCollection(name)
        return (data, c, report)
    }

    func testEverythingAcknowledgedIsThereAfterRestartWithAndWithoutSnapshots() throws {
        var expected: [UInt64: [Float]] = [:]
        do {
            let data = try DataDirectory(path: root, policy: .always)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2))
            try c.upsert(items(0..<50))
            for i in 0..<50 { expected[UInt64(i)] = vector(i) }
            try c.delete(ids: [3, 4])
            expected[3] = nil
            expected[4] = nil
            let snap = try c.snapshot()
            XCTAssertTrue(FileManager.default.fileExists(atPath: snap.path))
            try c.upsert(items(50..<60))
            for i in 50..<60 { expected[UInt64(i)] = vector(i) }
            try c.upsert([UpsertItem(id: 7, vector: vector(700))])
            expected[7] = vector(700)
            try c.delete(ids: [55])
            expected[55] = nil
            // No close(): the process "dies" here.
        }
        let (_, c, report) = try reopen()
        XCTAssertNotNil(report.snapshot)
        XCTAssertEqual(report.replay.records, 3)
        XCTAssertEqual(c.index.count, expected.count)
        for (id, v) in expected {
            XCTAssertEqual(c.index.get(id: id)?.vector, v, "id \(id)")
            XCTAssertEqual(try c.index.search(v, k: 1).first?.id, id)
        }
        XCTAssertNil(c.index.get(id: 55))
        XCTAssertEqual(c.group(of: 12), 3)
        XCTAssertNil(c.group(of: 3))
        // Sequences continue after the restart.
        let seq = try c.upsert(items(100..<101))
        XCTAssertGreaterThan(seq, report.replay.lastSequence)
    }

    func testATornLastRecordIsTruncatedAndEarlierRecordsSurvive() throws {
        do {
            let data = try DataDirectory(path: root)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .cosine))
            for i in 0..<10 { try c.upsert(items(i..<(i + 1))) }
            try c.close()
        }
        let dir = root + "/collections/c"
        let segment = WALReader.segments(in: dir).last!.path
        let size = try FileManager.default.attributesOfItem(atPath: segment)[.size] as! Int
        // Cut the last record in half.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        try handle.truncate(atOffset: UInt64(size - 30))
        try handle.close()
        let (_, c, report) = try reopen()
        XCTAssertNotNil(report.replay.tornTail)
        XCTAssertEqual(report.replay.tornTail?.path, segment)
        XCTAssertEqual(c.index.count, 9)
        XCTAssertNil(c.index.get(id: 9))
        // The trimmed log is clean now: a second restart sees no torn tail.
        let (_, c2, report2) = try reopen()
        XCTAssertNil(report2.replay.tornTail)
        XCTAssertEqual(c2.index.count, 9)
        _ = c
    }

    func testACorruptRecordInTheMiddleIsRefusedWithFileAndOffset() throws {
        do {
            let data = try DataDirectory(path: root)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .cosine))
            for i in 0..<10 { try c.upsert(items(i..<(i + 1))) }
            try c.close()
        }
        let dir = root + "/collections/c"
        let segment = WALReader.segments(in: dir).last!.path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let recordBytes = (bytes.count - WriteAheadLog.headerBytes) / 10
        let victimOffset = WriteAheadLog.headerBytes + 4 * recordBytes
        bytes[victimOffset + 30] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        XCTAssertThrowsError(try reopen()) { error in
            guard case let .corrupt(path, offset, reason) = error as? PersistenceError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, segment)
            XCTAssertEqual(offset, victimOffset)
            XCTAssertTrue(reason.contains("checksum"), reason)
        }
    }

    func testADamagedNewestSnapshotFallsBackToTheOlderOneAndTheLog() throws {
        do {
            let data = try DataDirectory(path: root, keepSnapshots: 2)
            let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .cosine))
            try c.upsert(items(0..<20))
            try c.snapshot()
            try c.upsert(items(20..<30))
            let newest = try c.snapshot()
            try c.upsert(items(30..<35))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: newest.path))
            bytes[bytes.count - 10] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: newest.path))
        }
        let (_, c, report) = try reopen()
        XCTAssertEqual(report.rejectedSnapshots.count, 1)
        XCTAssertEqual(c.index.count, 35)
    }

    func testSnapshotsArePrunedToTheNewestN() throws {
        let data = try DataDirectory(path: root, keepSnapshots: 2)
        let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .cosine))
        for round in 0..<4 {
            try c.upsert(items((round * 10)..<(round * 10 + 10)))
            try c.snapshot()
        }
        let dir = root + "/collections/c"
        XCTAssertEqual(DurableCollection.snapshots(in: dir).count, 2)
        // Only the segments the kept snapshots need remain (the current one included).
        XCTAssertLessThanOrEqual(WALReader.segments(in: dir).count, 3)
    }

    func testTheDataDirectoryIsLockedAgainstASecondOpener() throws {
        let first = try DataDirectory(path: root)
        XCTAssertThrowsError(try DataDirectory(path: root)) {
            XCTAssertEqual($0 as? PersistenceError, .locked(path: root))
        }
        _ = first
    }

    func testRestoreInstallsASnapshotAsTheCollectionsState() throws {
        let snapshotPath: String
        do {
            let data = try DataDirectory(path: root)
            let c = try data.createCollection("faq", parameters: IndexParameters(dimension: dim, metric: .cosine))
            try c.upsert(items(0..<25))
            snapshotPath = try c.snapshot().path
        }
        let copy = temporary.file("restore.ldx")
        try FileManager.default.copyItem(atPath: snapshotPath, toPath: copy)
        let other = root + "-other"
        let data = try DataDirectory(path: other)
        let restored = try data.restore(snapshot: copy)
        XCTAssertEqual(restored.collection, "faq")
        let (c, report) = try data.openCollection("faq")
        XCTAssertNotNil(report.snapshot)
        XCTAssertEqual(c.index.count, 25)
        XCTAssertEqual(c.group(of: 7), 3)
    }

    func testBadNamesAndDuplicateCollectionsAreRefused() throws {
        let data = try DataDirectory(path: root)
        for bad in ["", ".hidden", "a/b", String(repeating: "x", count: 200)] {
            XCTAssertThrowsError(try data.createCollection(bad, parameters: IndexParameters(dimension: 4)), bad)
        }
        _ = try data.createCollection("ok-1", parameters: IndexParameters(dimension: 4))
        XCTAssertThrowsError(try data.createCollection("ok-1", parameters: IndexParameters(dimension: 4)))
        XCTAssertEqual(data.collectionNames(), ["ok-1"])
        try data.dropCollection("ok-1")
        XCTAssertEqual(data.collectionNames(), [])
    }
}

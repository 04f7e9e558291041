import CSupport
import Foundation
import LoopdeskTestSupport
import Primitives
import XCTest
@testable import VectorIndex

/// A write-ahead log whose writes or syncs fail part-way (a full disk, an I/O
/// error) is left as it was: the failed record is cut away, or the log refuses
/// writes until it can be; every acknowledged record survives a restart and no
/// record whose append failed comes back.
final class WALFailureTests: XCTestCase {
    let dim = 8
    private var temporary: TemporaryDirectory!
    private var root: String!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "walfail")
        root = temporary.file("data")
    }

    override func tearDownWithError() throws { temporary.remove() }

    private func item(_ id: Int) -> UpsertItem {
        UpsertItem(id: UInt64(id), group: UInt64(id + 100), vector: (0..<dim).map { Float(($0 * 7 + id * 13) % 17) + 1 })
    }

    private func create(policy: FsyncPolicy) throws -> (DataDirectory, DurableCollection) {
        let data = try DataDirectory(path: root, policy: policy)
        return (data, try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2)))
    }

    private func reopen() throws -> (DataDirectory, DurableCollection, RecoveryReport) {
        let data = try DataDirectory(path: root, policy: .always)
        let (c, report) = try data.openCollection("c")
        return (data, c, report)
    }

    private func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    }

    private static let diskFull = PersistenceError.io(path: "wal", operation: "write", message: "No space left on device")

    /// Writes the first half of the bytes for real, then fails as a full disk does.
    private static func halfWriteThenENOSPC() -> WALFileOperations {
        var ops = WALFileOperations.system
        ops.maps = false
        ops.write = { fd, bytes, offset, path in
            try WALFileOperations.system.write(fd, UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count / 2)]), offset, path)
            throw diskFull
        }
        return ops
    }

    func testAShortWriteOnAFullDiskIsCutBackAndLaterWritesSurviveARestart() throws {
        do {
            let (_, c) = try create(policy: .everysec)
            for i in 0..<5 { try c.upsert([item(i)]) }
            let before = c.wal.segmentLength
            c.wal.setFileOperations(Self.halfWriteThenENOSPC())
            XCTAssertThrowsError(try c.upsert([item(5)])) { XCTAssertEqual($0 as? PersistenceError, Self.diskFull) }
            XCTAssertEqual(c.wal.segmentLength, before)
            XCTAssertEqual(try size(c.wal.segmentPath), before, "the half-written record was cut away")
            XCTAssertNil(c.index.get(id: 5), "a change whose append failed is not applied")
            XCTAssertEqual(c.wal.health.appendFailures, 1)
            XCTAssertFalse(c.wal.health.refusingWrites)
            // Space is freed; writing goes on.
            c.wal.setFileOperations(.system)
            for i in 6..<9 { try c.upsert([item(i)]) }
            try c.wal.syncAll()
        }
        let (_, c, report) = try reopen()
        XCTAssertNil(report.replay.tornTail)
        XCTAssertEqual(report.replay.records, 8)
        XCTAssertEqual(Set((0..<9).filter { c.index.get(id: UInt64($0)) != nil }), [0, 1, 2, 3, 4, 6, 7, 8])
        XCTAssertEqual(c.group(of: 7), 107)
    }

    func testWhenTheCutFailsTooTheLogRefusesWritesUntilItCan() throws {
        let (_, c) = try create(policy: .everysec)
        try c.upsert([item(0)])
        let before = c.wal.segmentLength
        var broken = Self.halfWriteThenENOSPC()
        broken.truncate = { _, _, path in throw PersistenceError.io(path: path, operation: "truncate", message: "Input/output error") }
        c.wal.setFileOperations(broken)
        XCTAssertThrowsError(try c.upsert([item(1)]))
        XCTAssertTrue(c.wal.health.refusingWrites)
        let file = try Data(contentsOf: URL(fileURLWithPath: c.wal.segmentPath))
        XCTAssertTrue(file.dropFirst(before).prefix(20).contains { $0 != 0 }, "the torn bytes are still there")
        // Even with room again, nothing is appended behind the torn bytes while they cannot be cut.
        var roomButNoCut = WALFileOperations.system
        roomButNoCut.truncate = broken.truncate
        c.wal.setFileOperations(roomButNoCut)
        XCTAssertThrowsError(try c.upsert([item(2)])) { error in
            XCTAssertTrue("\(error)".contains("refuses writes"), "\(error)")
        }
        c.wal.setFileOperations(.system)
        try c.upsert([item(3)])
        XCTAssertFalse(c.wal.health.refusingWrites)
        XCTAssertEqual(c.wal.health.appendFailures, 1, "a refused append wrote nothing, so it is not a failed append")
        try c.wal.syncAll()
        let (_, reopened, report) = try reopen()
        XCTAssertNil(report.replay.tornTail)
        XCTAssertEqual(Set((0..<4).filter { reopened.index.get(id: UInt64($0)) != nil }), [0, 3])
    }

    func testAnAlwaysSyncFailureCutsTheRecordSoItDoesNotComeBackAfterARestart() throws {
        let messages = Locked<[String]>([])
        do {
            let (_, c) = try create(policy: .always)
            c.wal.onFailure = { message in messages.withLock { $0.append(message) } }
            try c.upsert([item(0)])
            var failingSync = WALFileOperations.system
            failingSync.datasync = { _, path in throw PersistenceError.io(path: path, operation: "fdatasync", message: "Input/output error") }
            c.wal.setFileOperations(failingSync)
            XCTAssertThrowsError(try c.upsert([item(1)]))
            XCTAssertNil(c.index.get(id: 1))
            XCTAssertEqual(c.wal.health.syncFailures, 1)
            XCTAssertEqual(c.wal.health.appendFailures, 1)
            XCTAssertTrue(c.wal.health.lastError?.contains("Input/output error") ?? false)
            c.wal.setFileOperations(.system)
            let sequence = try c.upsert([item(2)])
            XCTAssertEqual(sequence, 2, "the failed record's sequence is reused: it is not in the log")
        }
        let logged = messages.withLock { $0 }
        XCTAssertEqual(logged.count, 1)
        XCTAssertTrue(logged.first?.contains("fdatasync") ?? false, "\(logged)")
        let (_, c, report) = try reopen()
        XCTAssertNil(report.replay.tornTail)
        XCTAssertEqual(Set((0..<3).filter { c.index.get(id: UInt64($0)) != nil }), [0, 2], "the record whose append failed did not come back")
    }

    func testEverysecSyncFailuresAreCountedKeptAndReported() throws {
        let (_, c) = try create(policy: .everysec)
        let reported = Locked(0)
        c.wal.onFailure = { _ in reported.withLock { $0 += 1 } }
        try c.upsert([item(0)])
        var failingSync = WALFileOperations.system
        failingSync.datasync = { _, path in throw PersistenceError.io(path: path, operation: "fdatasync", message: "Input/output error") }
        c.wal.setFileOperations(failingSync)
        XCTAssertThrowsError(try c.wal.syncAll())
        XCTAssertGreaterThanOrEqual(c.wal.health.syncFailures, 1)
        XCTAssertNotNil(c.wal.health.lastErrorAt)
        XCTAssertEqual(c.wal.health.appendFailures, 0, "under everysec the records were acknowledged and stay")
        XCTAssertNotNil(c.index.get(id: 0))
        XCTAssertGreaterThanOrEqual(reported.withLock { $0 }, 1)
        c.wal.setFileOperations(.system)
        try c.wal.syncAll()
    }

    func testTheRecordChecksumCoversItsLengthFromFormatTwo() {
        var record = [UInt8](repeating: 0, count: 20 + 4)
        record[0] = 4
        record[8] = 1
        for i in 0..<4 { record[20 + i] = UInt8(i + 1) }
        let v2 = record.withUnsafeBytes { WriteAheadLog.recordChecksum($0.baseAddress!, payloadBytes: 4, major: 2) }
        let v1 = record.withUnsafeBytes { WriteAheadLog.recordChecksum($0.baseAddress!, payloadBytes: 4, major: 1) }
        record[1] = 1   // the length field changes, nothing else
        XCTAssertNotEqual(record.withUnsafeBytes { WriteAheadLog.recordChecksum($0.baseAddress!, payloadBytes: 4, major: 2) }, v2)
        XCTAssertEqual(record.withUnsafeBytes { WriteAheadLog.recordChecksum($0.baseAddress!, payloadBytes: 4, major: 1) }, v1,
                       "format 1 did not cover the length, which is why format 2 exists")
    }

    func testAFormatOneSegmentIsStillReplayed() throws {
        let (_, c) = try create(policy: .always)
        try c.close()
        let directory = root + "/collections/c"
        for segment in WALReader.segments(in: directory) { try FileManager.default.removeItem(atPath: segment.path) }
        let items = [item(1), item(2)]
        var file = Self.formatOneHeader(first: 1)
        file += Self.formatOneRecord(sequence: 1, kind: IndexRecordKind.upsert.rawValue, payload: IndexRecordCodec.encodeUpsert([items[0]], dimension: dim))
        file += Self.formatOneRecord(sequence: 2, kind: IndexRecordKind.upsert.rawValue, payload: IndexRecordCodec.encodeUpsert([items[1]], dimension: dim))
        try Data(file).write(to: URL(fileURLWithPath: directory + "/" + WriteAheadLog.segmentName(first: 1)))
        let (_, reopened, report) = try reopen()
        XCTAssertEqual(report.replay.records, 2)
        XCTAssertEqual(reopened.index.get(id: 2)?.vector, items[1].vector)
    }

    private static func formatOneHeader(first: UInt64) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: WriteAheadLog.headerBytes)
        for i in 0..<8 { header[i] = WriteAheadLog.magic[i] }
        header[8] = 1
        withUnsafeBytes(of: first.littleEndian) { for i in 0..<8 { header[16 + i] = $0[i] } }
        let crc = header.withUnsafeBytes { ld_crc32c(0, $0.baseAddress, 24) }
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { header[24 + i] = $0[i] } }
        return header
    }

    private static func formatOneRecord(sequence: UInt64, kind: UInt8, payload: [UInt8]) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { for i in 0..<4 { record[i] = $0[i] } }
        withUnsafeBytes(of: sequence.littleEndian) { for i in 0..<8 { record[8 + i] = $0[i] } }
        record[16] = kind
        record += payload
        let crc = record.withUnsafeBytes { ld_crc32c(0, $0.baseAddress! + 8, 12 + payload.count) }
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { record[4 + i] = $0[i] } }
        return record
    }

    /// Found by scripts/fault.sh: a snapshot on a full disk rotated the log into a new segment
    /// whose header could not be written, and left that 0-byte file for `verify` to call damaged.
    func testARotationWhoseHeaderCannotBeWrittenLeavesNoSegmentBehind() throws {
        do {
            let (_, c) = try create(policy: .always)
            for i in 0..<3 { try c.upsert([item(i)]) }
            let before = WALReader.segments(in: c.directory).map(\.path)
            var failing = WALFileOperations.system
            failing.write = { _, _, _, _ in throw Self.diskFull }
            c.wal.setFileOperations(failing)
            XCTAssertThrowsError(try c.snapshot())
            XCTAssertEqual(WALReader.segments(in: c.directory).map(\.path), before, "no stub segment left behind")
            c.wal.setFileOperations(.system)
            try c.upsert([item(7)])
            for segment in WALReader.segments(in: c.directory) { XCTAssertNoThrow(try WALReader.verifySegment(path: segment.path)) }
            try c.close()
        }
        let (_, c, _) = try reopen()
        XCTAssertEqual(c.index.count, 4)
        try c.close()
    }
}

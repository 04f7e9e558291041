import Foundation
import LoopdeskTestSupport
import Primitives
import XCTest
@testable import VectorIndex

/// Where a preallocated log segment ends: the zeros allocated past its last
/// record are its end (no torn tail, cut away on recovery and on close); a
/// record cut short by a crash in the middle of its copy, or followed by a
/// never-synced page of zeros after a machine crash, is a torn tail of the
/// last segment only; a full disk fails the allocation before anything is
/// copied. The mapped and the `pwrite` paths write the same bytes.
final class WALSegmentEndTests: XCTestCase {
    let dim = 8
    private var temporary: TemporaryDirectory!
    private var root: String!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "walend")
        root = temporary.file("data")
    }

    override func tearDownWithError() throws { temporary.remove() }

    private func item(_ id: Int) -> UpsertItem {
        UpsertItem(id: UInt64(id), group: UInt64(id + 100), vector: (0..<dim).map { Float(($0 * 5 + id * 11) % 13) + 1 })
    }

    private func create(policy: FsyncPolicy = .everysec, operations: WALFileOperations = .system) throws -> DurableCollection {
        let data = try DataDirectory(path: root, policy: policy)
        let c = try data.createCollection("c", parameters: IndexParameters(dimension: dim, metric: .l2))
        c.wal.setFileOperations(operations)
        return c
    }

    private func reopen() throws -> (DurableCollection, RecoveryReport) {
        let data = try DataDirectory(path: root, policy: .always)
        return try data.openCollection("c")
    }

    private func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    }

    private func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    private func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    private func ids(_ c: DurableCollection, _ range: Range<Int>) -> Set<Int> {
        Set(range.filter { c.index.get(id: UInt64($0)) != nil })
    }

    func testTheAllocatedZerosAreTheEndNotATornTailAndRecoveryCutsThem() throws {
        let segment: String, length: Int
        do {
            let c = try create()
            for i in 0..<6 { try c.upsert([item(i)]) }
            try c.wal.syncAll()
            segment = c.wal.segmentPath
            length = c.wal.segmentLength
            XCTAssertGreaterThanOrEqual(try size(segment), length + WALSegmentFile.smallestStep,
                                        "the file is allocated ahead of its records")
            XCTAssertTrue(try bytes(segment)[length...].allSatisfy { $0 == 0 })
            // No close(): the process dies with the allocated zeros in place.
        }
        XCTAssertNoThrow(try WALReader.verifySegment(path: segment))
        let (c, report) = try reopen()
        XCTAssertNil(report.replay.tornTail, "zeros past the last record are the segment's end")
        XCTAssertEqual(report.replay.records, 6)
        XCTAssertEqual(ids(c, 0..<6), Set(0..<6))
        XCTAssertEqual(try size(segment), length, "recovery cut the zeros away")
        try c.close()
    }

    func testCloseCutsTheSegmentToItsRecords() throws {
        let c = try create()
        for i in 0..<4 { try c.upsert([item(i)]) }
        let segment = c.wal.segmentPath, length = c.wal.segmentLength
        XCTAssertGreaterThan(length, WriteAheadLog.headerBytes)
        XCTAssertGreaterThan(try size(segment), length)
        try c.close()
        XCTAssertEqual(try size(segment), length)
    }

    func testARotatedSegmentIsCutToItsRecords() throws {
        let c = try create()
        for i in 0..<4 { try c.upsert([item(i)]) }
        let first = c.wal.segmentPath, length = c.wal.segmentLength
        _ = try c.snapshot()
        XCTAssertNotEqual(c.wal.segmentPath, first)
        if FileManager.default.fileExists(atPath: first) { XCTAssertEqual(try size(first), length) }
        try c.upsert([item(9)])
        try c.close()
        let (reopened, report) = try reopen()
        XCTAssertNil(report.replay.tornTail)
        XCTAssertEqual(ids(reopened, 0..<10), [0, 1, 2, 3, 9])
    }

    func testARecordCutShortByAProcessCrashIsATornTail() throws {
        let segment: String, length: Int
        do {
            let c = try create()
            for i in 0..<5 { try c.upsert([item(i)]) }
            segment = c.wal.segmentPath
            length = c.wal.segmentLength
        }
        // The crash came in the middle of copying a sixth record: its header and some payload, zeros after.
        var file = try bytes(segment)
        let recordStart = WriteAheadLog.headerBytes
        let firstRecordLength = 20 + Int(UInt32(file[recordStart]) | UInt32(file[recordStart + 1]) << 8)
        for i in 0..<(firstRecordLength / 2) { file[length + i] = file[recordStart + i] &+ 1 }
        try write(file, to: segment)
        let (c, report) = try reopen()
        XCTAssertEqual(report.replay.tornTail?.offset, length)
        XCTAssertEqual(report.replay.records, 5)
        XCTAssertEqual(ids(c, 0..<6), Set(0..<5))
        try c.close()
    }

    /// After a machine crash, pages past the last sync may reach the disk in any
    /// order: a page of zeros, then later records. Only the last segment can hold that;
    /// damage with no zero page where it lies is refused even with the allocated zeros further on.
    func testAZeroPageBeforeLaterRecordsIsATornTailOfTheLastSegmentOnly() throws {
        let segment: String, ends: [Int], directory: String
        do {
            let c = try create()
            var lengths: [Int] = []
            for i in 0..<200 {
                try c.upsert([item(i)])
                lengths.append(c.wal.segmentLength)
            }
            try c.wal.syncAll()
            segment = c.wal.segmentPath
            directory = c.directory
            ends = lengths
        }
        let original = try bytes(segment)
        XCTAssertGreaterThan(original.count, ends[199], "the allocated zeros are still there")
        // Zero the first whole page after record 20: records from the one running into it are lost.
        let page = (ends[20] + 4095) / 4096 * 4096
        XCTAssertLessThan(page + 4096, ends[199], "the test needs records on both sides of the page")
        var holed = original
        for i in page..<(page + 4096) { holed[i] = 0 }
        let firstLost = ends.firstIndex { $0 > page }!

        // Not the last segment: the same bytes are corruption.
        let elsewhere = temporary.file("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try write(holed, to: elsewhere + "/" + WriteAheadLog.segmentName(first: 1))
        let later = try WriteAheadLog(directory: elsewhere, nextSequence: 201, policy: .no)
        try later.close()
        XCTAssertThrowsError(try WALReader.replay(directory: elsewhere, after: 0, repair: false) { _ in }) { error in
            guard case PersistenceError.corrupt(_, let offset, _)? = error as? PersistenceError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(offset, ends[firstLost - 1])
        }

        // Bit rot in record 22, no zero page near it: refused, though the allocated zeros come later.
        var rotted = original
        let rotAt = ends[21] + 25
        rotted[rotAt] ^= 0xFF
        let rottedPath = temporary.file("rotted.log")
        try write(rotted, to: rottedPath)
        XCTAssertThrowsError(try WALReader.verifySegment(path: rottedPath)) { error in
            XCTAssertTrue("\(error)".contains("more records follow"), "\(error)")
        }

        // The last segment: a torn tail from the record running into the page.
        try write(holed, to: segment)
        let (c, report) = try reopen()
        XCTAssertEqual(report.replay.tornTail?.offset, ends[firstLost - 1])
        XCTAssertEqual(report.replay.records, firstLost)
        XCTAssertEqual(ids(c, 0..<200), Set(0..<firstLost))
        XCTAssertEqual(c.directory, directory)
        try c.close()
    }

    func testAFullDiskFailsTheAllocationAndAppendsNothing() throws {
        let c = try create()
        let full = Locked(false)
        var operations = WALFileOperations.system
        // Each record allocates just its own bytes while there is room (the generous step is refused).
        operations.allocate = { fd, offset, count, path in
            if full.withLock({ $0 }) || count > 4096 {
                throw PersistenceError.io(path: path, operation: "allocate", message: "No space left on device")
            }
            try WALFileOperations.system.allocate(fd, offset, count, path)
        }
        c.wal.setFileOperations(operations)
        for i in 0..<3 { try c.upsert([item(i)]) }
        let length = c.wal.segmentLength
        full.withLock { $0 = true }
        XCTAssertThrowsError(try c.upsert([item(3)])) { error in
            XCTAssertTrue("\(error)".contains("No space left"), "\(error)")
        }
        XCTAssertNil(c.index.get(id: 3), "a change whose append failed is not applied")
        XCTAssertEqual(c.wal.segmentLength, length)
        XCTAssertEqual(try size(c.wal.segmentPath), length, "nothing was copied past the last record")
        XCTAssertEqual(c.wal.health.appendFailures, 1)
        XCTAssertFalse(c.wal.health.refusingWrites)
        full.withLock { $0 = false }
        try c.upsert([item(4)])
        try c.wal.syncAll()
        let (reopened, report) = try reopen()
        XCTAssertNil(report.replay.tornTail)
        XCTAssertEqual(ids(reopened, 0..<5), [0, 1, 2, 4])
    }

    func testANearlyFullDiskStillTakesTheRecordThatFits() throws {
        let c = try create()
        var tight = WALFileOperations.system
        // Only allocations up to 64 KiB succeed: the generous step fails, the record's own bytes do not.
        tight.allocate = { fd, offset, count, path in
            if count > 64 << 10 { throw PersistenceError.io(path: path, operation: "allocate", message: "No space left on device") }
            try WALFileOperations.system.allocate(fd, offset, count, path)
        }
        c.wal.setFileOperations(tight)
        for i in 0..<3 { try c.upsert([item(i)]) }
        XCTAssertEqual(try size(c.wal.segmentPath), c.wal.segmentLength, "allocated exactly what the records need")
        XCTAssertEqual(c.wal.health.appendFailures, 0)
    }

    func testTheMappedAndTheWrittenPathsWriteTheSameBytes() throws {
        var written = WALFileOperations.system
        written.maps = false
        var files: [[UInt8]] = []
        for operations in [WALFileOperations.system, written] {
            let c = try create(operations: operations)
            for i in 0..<20 { try c.upsert([item(i)]) }
            try c.delete(ids: [3])
            let segment = c.wal.segmentPath
            try c.close()
            files.append(try bytes(segment))
            try FileManager.default.removeItem(atPath: root)
        }
        XCTAssertEqual(files[0].count, files[1].count)
        XCTAssertEqual(files[0], files[1])
    }

    func testZeroRunsAndZeroPagesAreFoundExactly() {
        var buffer = [UInt8](repeating: 0, count: 3 * 4096 + 100)
        buffer[4095] = 1
        buffer[2 * 4096 + 7] = 1
        buffer.withUnsafeBytes { raw in
            let p = raw.baseAddress!
            XCTAssertTrue(WALReader.isZero(p, from: 0, to: 4095))
            XCTAssertFalse(WALReader.isZero(p, from: 3, to: 4096))
            XCTAssertTrue(WALReader.isZero(p, from: 4096, to: 2 * 4096 + 7))
            XCTAssertFalse(WALReader.isZero(p, from: 4096, to: 2 * 4096 + 8))
            XCTAssertTrue(WALReader.isZero(p, from: 5, to: 5))
            // Page 0 has a one at its end, page 2 one at its byte 7: only page 1 is whole zeros.
            XCTAssertTrue(WALReader.hasZeroPage(p, from: 0, to: raw.count))
            XCTAssertFalse(WALReader.hasZeroPage(p, from: 4097, to: raw.count), "page 1 does not start after 4,097")
            XCTAssertFalse(WALReader.hasZeroPage(p, from: 0, to: 2 * 4096 - 1), "page 1 is not whole before 8,191")
            XCTAssertTrue(WALReader.hasZeroPage(p, from: 4096, to: 2 * 4096))
        }
    }
}

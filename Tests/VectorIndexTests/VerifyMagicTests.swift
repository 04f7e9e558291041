import Foundation
import LoopdeskTestSupport
import XCTest
import VectorIndex

/// `verify` decides what a file is by its magic bytes, never its name: a renamed
/// snapshot or log segment is checked as one; random bytes, an empty file or a
/// cut-off one is an error, never "ok".
final class VerifyMagicTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var snapshotPath = ""
    private var segmentPath = ""

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "magic")
        let data = try DataDirectory(path: temporary.file("data"), policy: .always)
        let c = try data.createCollection("c", parameters: IndexParameters(dimension: 4, metric: .l2))
        try c.upsert((1...6).map { UpsertItem(id: UInt64($0), vector: [Float($0), 1, 2, 3]) })
        snapshotPath = try c.snapshot().path
        try c.upsert([UpsertItem(id: 9, vector: [9, 1, 2, 3])])
        try c.delete(ids: [2])
        segmentPath = try XCTUnwrap(WALReader.segments(in: c.directory).last?.path)
        try c.close()
    }

    override func tearDownWithError() throws { temporary.remove() }

    private func copy(_ path: String, to name: String) throws -> String {
        let target = temporary.file(name)
        try FileManager.default.copyItem(atPath: path, toPath: target)
        return target
    }

    func testASnapshotCopiedToAnotherNameIsVerifiedAsASnapshot() throws {
        let backup = try copy(snapshotPath, to: "backup.bin")
        XCTAssertEqual(try PersistentFileKind.detect(path: backup), .snapshot)
        XCTAssertEqual(try SnapshotVerifier.verify(path: backup).liveCount, 6)
    }

    func testALogSegmentCopiedToAnotherNameHasItsRecordsCounted() throws {
        let copy = try copy(segmentPath, to: "log.dat")
        XCTAssertEqual(try PersistentFileKind.detect(path: copy), .logSegment)
        let report = try WALReader.verifySegment(path: copy)
        XCTAssertEqual(report.records, 2)
        XCTAssertEqual(report.lastSequence, 3)
    }

    func testRandomBytesAreNotAnything() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = Data((0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for name in ["backup.bin", "snapshot-00000000000000000007.ldx", "wal-00000000000000000001.log"] {
            let path = temporary.file(name)
            try noise.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try PersistentFileKind.detect(path: path), name) { error in
                guard case let .notASnapshot(_, reason)? = error as? PersistenceError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("neither a snapshot"), reason)
            }
        }
    }

    func testAnEmptyOrCutOffFileIsAnError() throws {
        let empty = temporary.file("empty.ldx")
        FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertThrowsError(try PersistentFileKind.detect(path: empty))
        let cut = temporary.file("cut.ldx")
        try Data(try Data(contentsOf: URL(fileURLWithPath: snapshotPath)).prefix(5000)).write(to: URL(fileURLWithPath: cut))
        XCTAssertEqual(try PersistentFileKind.detect(path: cut), .snapshot)
        XCTAssertThrowsError(try SnapshotVerifier.verify(path: cut), "a snapshot cut short fails its checks")
    }

    /// Found by scripts/fuzz-persistence.sh: a file shorter than a segment's header
    /// verified as an empty segment (recovery's "torn header of the newest segment").
    func testAFileShorterThanASegmentHeaderIsNotAnEmptySegment() throws {
        for length in [0, 1, 8, WriteAheadLog.headerBytes - 1] {
            let short = temporary.file("short-\(length).bin")
            try Data(try Data(contentsOf: URL(fileURLWithPath: segmentPath)).prefix(length)).write(to: URL(fileURLWithPath: short))
            XCTAssertThrowsError(try WALReader.verifySegment(path: short), "\(length) bytes") { error in
                guard case .truncated? = error as? PersistenceError else { return XCTFail("\(length) bytes: \(error)") }
            }
        }
    }

    func testALogSegmentWithADamagedRecordFailsVerification() throws {
        let copy = try copy(segmentPath, to: "damaged.bin")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        bytes[WriteAheadLog.headerBytes + WriteAheadLog.recordHeaderBytes + 2] ^= 0xFF   // inside the first record's payload
        try bytes.write(to: URL(fileURLWithPath: copy))
        XCTAssertThrowsError(try WALReader.verifySegment(path: copy)) { error in
            guard case .corrupt? = error as? PersistenceError else { return XCTFail("\(error)") }
        }
    }
}

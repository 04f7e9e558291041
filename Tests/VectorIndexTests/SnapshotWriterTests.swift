import CSupport
import Foundation
import LoopdeskTestSupport
import Primitives
import XCTest
@testable import VectorIndex

/// The forked snapshot writer: the file is the index at the fork, whatever is
/// written after; a failure in the child comes back as a precise error and
/// leaves no file; an abandoned snapshot leaves no process and no file.
final class SnapshotWriterTests: XCTestCase {
    let dim = 24
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "snapwriter")
    }

    override func tearDownWithError() throws {
        temporary.remove()
    }

    private func makeIndex() throws -> HNSWIndex {
        let n = 1200
        let data = TestData.clustered(count: n, dimension: dim, clusters: 12, seed: 71)
        let index = try HNSWIndex(parameters: IndexParameters(dimension: dim, metric: .cosine, storage: .int8))
        try index.upsertBatch(ids: (0..<n).map(UInt64.init), vectors: data, tags: (0..<n).map { ["t:\($0 % 5)"] })
        for id in stride(from: 0, to: 60, by: 4) { try index.delete(id: UInt64(id)) }
        return index
    }

    func testTheFileIsTheIndexAtTheForkNotAtTheFinish() throws {
        let index = try makeIndex()
        let quiet = temporary.file("quiet.ldx"), busy = temporary.file("busy.ldx")
        let ranker = ExtraSection(type: .rankerState, bytes: Array(0..<200))
        let expected = try index.writeSnapshot(collection: "c", to: quiet, context: { (7, [ranker]) })
        let before = index.get(id: 500)

        let started = try index.startSnapshot(collection: "c", path: { "\(self.temporary.file("busy"))-\($0).ldx" },
                                              context: { (7, [ranker]) })
        // Writes between the fork and the finish: new vectors, deletes, a moved vector, new tags.
        let fresh = TestData.clustered(count: 300, dimension: dim, clusters: 12, seed: 72)
        try index.upsertBatch(ids: (5000..<5300).map(UInt64.init), vectors: fresh, tags: (0..<300).map { _ in ["t:new"] })
        for id in stride(from: 100, to: 400, by: 3) { try index.delete(id: UInt64(id)) }
        try index.upsert(id: 500, vector: TestData.row(fresh, 0, dimension: dim))
        let info = try started.finish()
        try FileManager.default.moveItem(atPath: info.path, toPath: busy)

        XCTAssertEqual(info.path, temporary.file("busy") + "-7.ldx")
        XCTAssertEqual(info.sections.map(\.crc), expected.sections.map(\.crc), "every section as it was at the fork")
        XCTAssertEqual(info.liveCount, expected.liveCount)
        let (loaded, _, extras) = try HNSWIndex.load(path: busy, mode: .full)
        XCTAssertEqual(loaded.count, 1200 - 15)
        XCTAssertNil(loaded.get(id: 5000))
        XCTAssertNotNil(loaded.get(id: 100))
        XCTAssertEqual(loaded.get(id: 500), before)
        XCTAssertEqual(extras.map(\.bytes), [ranker.bytes])
        XCTAssertNoThrow(try SnapshotVerifier.verify(path: busy))
        // The live index kept every write.
        XCTAssertEqual(index.count, 1200 - 15 + 300 - 100)
        XCTAssertNotEqual(index.get(id: 500), before)
    }

    /// A section encoded after the pause is encoded in `finish`, not in the pause, from
    /// what its owner copied in the pause; it lands after the child's sections with its own
    /// checksum, an empty one too, and the file loads and verifies as a snapshot written at once.
    func testSectionsEncodedAfterThePauseComeFromTheCopyAndLandAfterTheIndex() throws {
        let index = try makeIndex()
        let path = temporary.file("late.ldx"), eager = temporary.file("eager.ldx")
        let encoded = Locked<[String]>([])
        var owned: [UInt8] = Array(0..<50)
        let started = try index.startSnapshot(collection: "c", path: { _ in path }, context: {
            let copy = owned  // what the owner copies in the pause
            return (3, [
                ExtraSection(type: .groups, encodedAfterPause: { encoded.withLock { $0.append("groups") }; return copy }),
                ExtraSection(type: .rankerState, bytes: [9, 9, 9]),
                ExtraSection(type: .rankerState, encodedAfterPause: { encoded.withLock { $0.append("empty") }; return [] }),
            ])
        })
        XCTAssertEqual(encoded.withLock { $0 }, [], "nothing is encoded in the pause")
        owned = Array(repeating: 0xEE, count: 5000)  // the owner's state moves on after the pause
        let info = try started.finish()
        XCTAssertEqual(encoded.withLock { $0 }, ["groups", "empty"])

        let names = info.sections.map(\.name)
        XCTAssertEqual(Array(names.suffix(3)), ["ranker-state", "groups", "ranker-state"], "the late sections come last")
        let groups = info.sections[info.sections.count - 2], empty = info.sections[info.sections.count - 1]
        XCTAssertEqual(groups.length, 50)
        XCTAssertGreaterThan(groups.offset, info.sections[info.sections.count - 3].offset)
        XCTAssertEqual(groups.offset % 4096, 0, "on a page boundary")
        XCTAssertEqual(groups.crc, Array<UInt8>(0..<50).withUnsafeBytes { ld_crc32c(0, $0.baseAddress, 50) })
        XCTAssertEqual(empty.length, 0)
        XCTAssertEqual(info.fileBytes, empty.offset)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, info.fileBytes)

        XCTAssertEqual(try SnapshotVerifier.verify(path: path).sections, info.sections)
        let (loaded, _, extras) = try HNSWIndex.load(path: path, mode: .full)
        XCTAssertEqual(loaded.count, index.count)
        XCTAssertEqual(extras.map(\.bytes), [[9, 9, 9], Array(0..<50), []])

        // The same index and sections written at once load the same way.
        try index.writeSnapshot(collection: "c", to: eager, context: {
            (3, [ExtraSection(type: .groups, bytes: Array(0..<50)), ExtraSection(type: .rankerState, bytes: [9, 9, 9])])
        })
        let (_, _, eagerExtras) = try HNSWIndex.load(path: eager, mode: .full)
        XCTAssertEqual(Set(eagerExtras.map(\.bytes)), Set(extras.map(\.bytes)).subtracting([[]]))
    }

    func testAWriteThatFailsInTheChildIsAnErrorAndLeavesNoFile() throws {
        let index = try makeIndex()
        let path = temporary.file("too-big.ldx")
        // A file-size limit makes the child's writes fail as a full disk would, with EFBIG
        // instead of ENOSPC. The child inherits the limit at the fork; the test process
        // has it back at once (and ignores SIGXFSZ meanwhile, as the child does).
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var small = saved
        small.rlim_cur = 64 << 10
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        let started = Result { try index.startSnapshot(collection: "c", path: { _ in path }) }
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        defer { signal(SIGXFSZ, oldHandler) }

        XCTAssertThrowsError(try started.get().finish()) { error in
            guard case let .io(failedPath, operation, message) = error as? PersistenceError else { return XCTFail("\(error)") }
            XCTAssertEqual(failedPath, path + ".tmp")
            XCTAssertTrue(operation.hasPrefix("write (section "), operation)
            XCTAssertEqual(message, String(cString: strerror(EFBIG)))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        // The next snapshot, with room, works.
        XCTAssertNoThrow(try index.writeSnapshot(collection: "c", to: path))
        XCTAssertNoThrow(try SnapshotVerifier.verify(path: path))
    }

    func testAnAbandonedSnapshotLeavesNoProcessAndNoFile() throws {
        let index = try makeIndex()
        let path = temporary.file("abandoned.ldx")
        var pid: pid_t = 0
        do {
            let started = try index.startSnapshot(collection: "c", path: { _ in path })
            pid = started.childPID
            XCTAssertGreaterThan(pid, 0)
        }
        XCTAssertEqual(kill(pid, 0), -1, "the writer was killed and reaped")
        XCTAssertEqual(errno, ESRCH)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testTheChildReportsTheErrnoAndTheSpanThatFailed() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try XCTSkipIf(fd < 0, "no /dev/full here")
        defer { close(fd) }
        let bytes = [UInt8](repeating: 7, count: 8192)
        var report: Int32 = -1
        let pid = bytes.withUnsafeBytes { b -> pid_t in
            let spans = [ld_snapshot_span(data: nil, length: 0, offset: 0),
                         ld_snapshot_span(data: b.baseAddress, length: UInt64(b.count), offset: 4096)]
            return ld_snapshot_fork_writer(fd, spans, spans.count, 12288, 4096, &report)
        }
        XCTAssertGreaterThan(pid, 0)
        var status = ld_snapshot_child_status()
        let n = read(report, &status, MemoryLayout<ld_snapshot_child_status>.size)
        close(report)
        var exit: Int32 = 0
        XCTAssertEqual(waitpid(pid, &exit, 0), pid)
        XCTAssertEqual(n, MemoryLayout<ld_snapshot_child_status>.size)
        XCTAssertEqual(status.error, ENOSPC)
        XCTAssertEqual(status.failed_span, 1, "the empty first span wrote nothing and did not fail")
        XCTAssertEqual((exit >> 8) & 0xff, 1)
    }
}

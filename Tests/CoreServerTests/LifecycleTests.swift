#if canImport(Glibc)
import Glibc
#endif
import CoreServer
import Foundation
import VectorIndex
import Wire
import XCTest

/// The socket's and the data directory's life: live and stale sockets,
/// graceful shutdown, and data that survives a restart.
final class LifecycleTests: XCTestCase {
    func testASecondServerOnALiveSocketRefusesToStart() throws {
        let server = try TestServer()
        var other = ServerConfiguration(socketPath: server.socketPath, dataPath: server.root + "/other-data")
        other.fsyncPolicy = .no
        XCTAssertThrowsError(try CoreServer(configuration: other)) { error in
            guard case ListenerError.socketInUse(let path)? = error as? ListenerError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, server.socketPath)
        }
        server.assertServing()
    }

    func testASecondServerOnTheSameDataDirectoryRefusesToStart() throws {
        let server = try TestServer()
        let other = ServerConfiguration(socketPath: server.root + "/other.sock", dataPath: server.dataPath)
        XCTAssertThrowsError(try CoreServer(configuration: other)) { error in
            XCTAssertEqual(error as? PersistenceError, .locked(path: server.dataPath))
        }
        server.assertServing()
    }

    func testAStaleSocketIsReplaced() throws {
        let server = try TestServer()
        server.stop()
        // A socket file that nothing listens on, as a crashed daemon leaves it.
        let fd = try UnixSocket.listen(path: server.socketPath)
        close(fd)
        XCTAssertTrue(FileManager.default.fileExists(atPath: server.socketPath))
        try server.start()
        server.assertServing()
    }

    func testSocketFileModeIsApplied() throws {
        let server = try TestServer { $0.socketMode = 0o600 }
        var info = stat()
        XCTAssertEqual(stat(server.socketPath, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFSOCK)
    }

    func testSigtermFinishesSnapshotsAndRemovesTheSocket() throws {
        let server = try TestServer()
        try server.fill(dim: 8, count: 300)
        let idle = try RawPeer(server.socketPath)
        try idle.hello()
        let core = try XCTUnwrap(server.server)
        core.stopOnSignals([SIGTERM])
        kill(getpid(), SIGTERM)
        core.waitUntilStopped()
        signal(SIGTERM, SIG_DFL)
        // The idle client was told why its connection closed.
        try idle.expectError(.shuttingDown, requestID: 0, kind: .notice)
        try idle.expectClosed()
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.socketPath), "socket file removed")
        let snapshots = DurableCollection.snapshots(in: server.dataPath + "/collections/kb")
        XCTAssertEqual(snapshots.count, 1, "shutdown wrote a snapshot")
        // DATA/LOCK was released: another process (here, this one) can take it.
        XCTAssertNoThrow(try DataDirectory(path: server.dataPath))
    }

    func testDataSurvivesARestart() throws {
        let server = try TestServer()
        let vectors = try server.fill(dim: 8, count: 50)
        var client = try server.client()
        _ = try client.call(SnapshotRequest(collection: "kb"))
        // Changes after the snapshot live only in the log until shutdown snapshots again.
        _ = try client.call(UpsertRequest(collection: "kb", items: ItemBatch(dimension: 8, ids: [1000], vectors: [Float](repeating: 0.5, count: 8),
                                                                         groups: [77], tags: [["after"]])))
        XCTAssertEqual(try client.call(DeleteRequest(collection: "kb", ids: [2, 999_999])).deleted, 1)
        client.close()
        server.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.socketPath))

        try server.start()
        client = try server.client()
        let list = try client.call(ListCollectionsRequest()).collections
        XCTAssertEqual(list.map(\.name), ["kb"])
        XCTAssertEqual(list.first?.count, 50)
        let got = try client.call(GetRequest(collection: "kb", ids: [1, 1000, 2], missingOK: true)).items
        XCTAssertEqual(got.ids, [1, 1000])
        XCTAssertEqual(Array(got.vector(at: 0)), Array(vectors[0..<8]))
        XCTAssertEqual(got.groups, [1, 77])
        XCTAssertEqual(got.tags?[1], ["after"])
        XCTAssertThrowsError(try client.call(GetRequest(collection: "kb", ids: [2]))) { error in
            XCTAssertEqual((error as? WireError)?.code, .unknownID)
            XCTAssertTrue("\(error)".contains("id 2"), "\(error)")
        }
    }
}

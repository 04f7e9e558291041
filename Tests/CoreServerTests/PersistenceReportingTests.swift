import CoreServer
import Foundation
import VectorIndex
import Wire
import XCTest

/// What the daemon says about its files: `STATS` shows each collection's log
/// failures and what recovery found, and a collection that would open as a
/// partial index stops the start unless `--allow-partial-recovery`.
final class PersistenceReportingTests: XCTestCase {
    private func collectionStats(_ server: TestServer, _ name: String = "kb") throws -> [String: Any] {
        let json = try server.client().call(StatsRequest(collection: name)).json
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let collections = try XCTUnwrap(document["collections"] as? [String: Any])
        return try XCTUnwrap(collections[name] as? [String: Any])
    }

    func testStatsShowTheLogsFailuresAndWhatRecoveryFound() throws {
        let server = try TestServer { $0.fsyncPolicy = .everysec }
        try server.fill(count: 40)
        let fresh = try collectionStats(server)
        let wal = try XCTUnwrap(fresh["wal"] as? [String: Any])
        XCTAssertEqual(wal["fsync"] as? String, "everysec")
        XCTAssertEqual(wal["append_failures"] as? Int, 0)
        XCTAssertEqual(wal["sync_failures"] as? Int, 0)
        XCTAssertEqual(wal["refusing_writes"] as? Bool, false)
        XCTAssertNil(fresh["recovery"], "a collection created since start has no recovery to report")

        server.stop()
        try server.start()
        let recovered = try collectionStats(server)
        let recovery = try XCTUnwrap(recovered["recovery"] as? [String: Any])
        XCTAssertEqual(recovery["rejected_records"] as? Int, 0)
        XCTAssertEqual(recovery["rejected_snapshots"] as? [String], [])
        XCTAssertNotNil(recovery["snapshot"] as? String, "the shutdown snapshot was loaded")
        XCTAssertNil(recovery["partial"])
    }

    func testACollectionThatWouldBePartialStopsTheStartUnlessAllowed() throws {
        let server = try TestServer { $0.keepSnapshots = 1 }
        try server.fill(count: 30)
        _ = try server.client().call(SnapshotRequest(collection: "kb"))
        server.stop()   // the shutdown snapshot holds everything; the log before it is pruned
        let directory = server.dataPath + "/collections/kb"
        for snapshot in DurableCollection.snapshots(in: directory) { try FileManager.default.removeItem(atPath: snapshot.path) }

        XCTAssertThrowsError(try server.start()) { error in
            guard case .partialRecovery? = error as? PersistenceError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("loopdesk-core verify"), "\(error)")
        }
        var allowing = server.configuration
        allowing.allowPartialRecovery = true
        let core = try CoreServer(configuration: allowing)
        core.start()
        defer { _ = core.shutdown() }
        let client = try LoopdeskBlockingClient(socketPath: allowing.socketPath, clientName: "test")
        let json = try client.call(StatsRequest(collection: "kb")).json
        XCTAssertTrue(json.contains("\"partial\""), json)
        XCTAssertTrue(json.contains("are missing"), json)
        XCTAssertTrue(json.contains("\"count\":0"), "the snapshot is gone and with it all 30 vectors: \(json)")
    }
}

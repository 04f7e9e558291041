#if canImport(Glibc)
import Glibc
#endif
@testable import CoreServer
import Foundation
import VectorIndex
import Wire
import XCTest

/// SnapshotScheduler.swift: which collections a tick snapshots, when the first tick comes,
/// what a failure does, that stopping ends it, and that it never overlaps a requested SNAPSHOT.
final class SnapshotSchedulerTests: XCTestCase {
    private static let written = "scheduled snapshot written"
    private static let failed = "scheduled snapshot failed"

    private func snapshots(_ server: TestServer, _ collection: String) -> [UInt64] {
        DurableCollection.snapshots(in: server.dataPath + "/collections/" + collection).map(\.sequence)
    }

    private func schedule(_ server: TestServer, every interval: Double, log: CapturedLog = CapturedLog()) throws -> SnapshotScheduler {
        let core = try XCTUnwrap(server.server)
        let scheduler = SnapshotScheduler(interval: interval, registry: core.collections, logger: log.logger)
        addTeardownBlock { scheduler.stop() }
        return scheduler
    }

    private func upsert(_ server: TestServer, _ collection: String, ids: ClosedRange<UInt64>, dim: Int = 8) throws {
        let vectors = ids.flatMap { id in (0..<dim).map { Float(id) + Float($0) / 10 } }
        _ = try server.client().call(UpsertRequest(collection: collection, items: ItemBatch(dimension: dim, ids: Array(ids), vectors: vectors)))
    }

    /// Waits `seconds` without failing.
    private func pause(_ seconds: Double) { usleep(useconds_t(seconds * 1_000_000)) }

    func testOnlyCollectionsChangedSinceTheirLastSnapshotAreSnapshotted() throws {
        let server = try TestServer()
        try server.fill("changed", count: 20)
        _ = try server.client().call(CreateCollectionRequest(name: "untouched", dimension: 8, metric: .l2))
        let log = CapturedLog()
        _ = try schedule(server, every: 0.05, log: log)

        server.eventually("a snapshot of the changed collection") { snapshots(server, "changed").count == 1 }
        pause(0.4)
        XCTAssertEqual(snapshots(server, "changed").count, 1, "unchanged since: eight more ticks wrote nothing")
        XCTAssertEqual(snapshots(server, "untouched"), [], "created but never written to: nothing to snapshot")
        XCTAssertEqual(log.entries(startingWith: Self.written).map { $0.metadata["collection"] }, ["changed"])

        let first = try XCTUnwrap(snapshots(server, "changed").first)
        try upsert(server, "changed", ids: 100...101)
        server.eventually("a second snapshot after the next change") { snapshots(server, "changed").count == 2 }
        XCTAssertGreaterThan(snapshots(server, "changed").last ?? 0, first, "the new snapshot covers the newer log records")
        XCTAssertEqual(log.entries(startingWith: Self.failed).count, 0)
    }

    func testTheFirstSnapshotWaitsAWholeInterval() throws {
        let server = try TestServer()
        try server.fill("kb", count: 10)
        let started = Date()
        _ = try schedule(server, every: 1.0)
        pause(0.5)
        XCTAssertEqual(snapshots(server, "kb"), [], "no snapshot at start-up: the schedule begins with a wait")
        server.eventually("the snapshot after one interval", within: 5) { snapshots(server, "kb").count == 1 }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0)
    }

    func testAFailedSnapshotIsReportedAndRetriedOnLaterTicks() throws {
        let server = try TestServer()
        try server.fill("kb", count: 10)
        let core = try XCTUnwrap(server.server)
        let handle = try core.collections.handle("kb", for: .snapshot)
        // A directory where the snapshot's temporary file must go makes its write fail.
        let sequence = handle.sequences.withLock { $0.change }
        let blocker = server.dataPath + "/collections/kb/" + DurableCollection.snapshotName(walSequence: sequence) + ".tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)

        let log = CapturedLog()
        _ = try schedule(server, every: 0.05, log: log)
        server.eventually("two failed attempts") { log.entries(startingWith: Self.failed).count >= 2 }
        let failure = try XCTUnwrap(log.entries(startingWith: Self.failed).first)
        XCTAssertEqual(failure.level, .error)
        XCTAssertEqual(failure.metadata["collection"], "kb")
        XCTAssertNotNil(failure.metadata["error"])
        XCTAssertEqual(snapshots(server, "kb"), [])
        XCTAssertTrue(handle.hasChangesSinceSnapshot, "a failed snapshot leaves the collection due")

        try FileManager.default.removeItem(atPath: blocker)
        server.eventually("the retry that succeeds") { snapshots(server, "kb").count == 1 }
        server.eventually("the success reported") { !log.entries(startingWith: Self.written).isEmpty }
        XCTAssertFalse(handle.hasChangesSinceSnapshot)
        let failures = log.entries(startingWith: Self.failed).count
        pause(0.3)
        XCTAssertEqual(log.entries(startingWith: Self.failed).count, failures, "no more attempts once it succeeded")
    }

    func testStoppingEndsTheSchedule() throws {
        let server = try TestServer()
        let scheduler = try schedule(server, every: 0.05)
        scheduler.stop()
        try server.fill("kb", count: 10)
        pause(0.4)
        XCTAssertEqual(snapshots(server, "kb"), [], "stopped before the change: never snapshotted")
    }

    func testScheduledAndRequestedSnapshotsNeverWriteTheSameCollectionAtOnce() throws {
        let server = try TestServer()
        try server.fill("kb", count: 50)
        let log = CapturedLog()
        _ = try schedule(server, every: 0.002, log: log)
        let writer = try server.client("writer")
        var requested = 0
        var nextID: UInt64 = 1000
        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline {
            let ids = nextID...(nextID + 4)
            nextID += 5
            _ = try writer.call(UpsertRequest(collection: "kb", items: ItemBatch(dimension: 8, ids: Array(ids),
                                                                               vectors: ids.flatMap { id in (0..<8).map { Float(id) * 0.001 + Float($0) } })))
            let reply = try writer.call(SnapshotRequest(collection: "kb"))
            XCTAssertEqual(reply.snapshots.count, 1)
            requested += 1
        }
        XCTAssertGreaterThan(requested, 10)
        XCTAssertEqual(log.entries(startingWith: Self.failed).count, 0, "\(log.entries(startingWith: Self.failed).first?.metadata ?? [:])")
        XCTAssertFalse(log.entries(startingWith: Self.written).isEmpty, "the schedule ran alongside")

        // Every snapshot on disk loads, and the restarted core has every vector.
        server.stop()
        for path in DurableCollection.snapshots(in: server.dataPath + "/collections/kb").map(\.path) {
            XCTAssertNoThrow(try SnapshotVerifier.verify(path: path), path)
        }
        try server.start()
        let count = try server.client().call(GetRequest(collection: "kb", ids: [1, nextID - 1])).items.ids.count
        XCTAssertEqual(count, 2)
    }
}

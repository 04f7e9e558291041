import CoreServer
import Foundation
import Wire
import XCTest

/// Issue 14, "no request may crash or exhaust the daemon": every reply is
/// bounded from its request before anything executes and refused above
/// `maxReplyBytes` with `RESOURCE_EXHAUSTED`; the connection and the server
/// go on serving.
final class ReplyLimitTests: XCTestCase {
    /// Today's GET reserved `ids × dimension` floats before looking at one id:
    /// a million unknown ids of a 16384-d collection asked for 64 GiB.
    func testGetOfAMillionIdsInAWideCollectionIsRefusedBeforeReserving() throws {
        let server = try TestServer()
        try server.fill(dim: 16_384, count: 2)
        let peer = try RawPeer(server.socketPath)
        try peer.hello()
        let ids = (1...UInt64(1_000_000)).map { $0 + 1_000_000 }
        try peer.send(GetRequest(collection: "kb", ids: ids, missingOK: true).frame(requestID: 2))
        let error = try peer.expectError(.resourceExhausted, requestID: 2, kind: .get)
        XCTAssertTrue(error.message.contains("1000000 ids") && error.message.contains("\(64 << 20)"), error.message)
        XCTAssertTrue(error.message.contains("--max-reply-bytes"), error.message)
        // The same connection still serves, and so does the server.
        try peer.send(GetRequest(collection: "kb", ids: [1, 2]).frame(requestID: 3))
        let reply = try XCTUnwrap(try peer.next())
        XCTAssertFalse(reply.header.isError)
        XCTAssertEqual(try GetResponse.decode(payload: reply.payload).items.ids, [1, 2])
        server.assertServing()
    }

    /// A batch SEARCH whose `queries × k` could reach gigabytes (today: built,
    /// or the 4 GiB `precondition` in `Frame.encode`) is refused from its numbers alone.
    func testBatchSearchWithLargeKTimesQueriesIsRefused() throws {
        let server = try TestServer()
        try server.fill(dim: 1, count: 20)
        let peer = try RawPeer(server.socketPath)
        try peer.hello()
        let queries = (0..<400_000).map { Float($0 % 7) - 3 }
        try peer.send(SearchRequest(collection: "kb", dimension: 1, queries: queries, k: 10_000).frame(requestID: 2))
        let error = try peer.expectError(.resourceExhausted, requestID: 2, kind: .search)
        XCTAssertTrue(error.message.contains("400000 queries × k = 10000"), error.message)
        try peer.send(SearchRequest(collection: "kb", query: [0.5], k: 3).frame(requestID: 3))
        let reply = try XCTUnwrap(try peer.next())
        XCTAssertEqual(try SearchResponse.decode(payload: reply.payload).results.first?.ids.count, 3)
        server.assertServing()
    }

    /// The bound is exact: `4 + queries × (4 + 12 k)` bytes; one byte over the limit is refused.
    func testSearchBoundIsExactAtTheConfiguredLimit() throws {
        let server = try TestServer { $0.maxReplyBytes = 4096 }
        try server.fill(dim: 2, count: 400)
        let client = try server.client()
        // 4 + 4 + 12 × 340 = 4088 ≤ 4096: served, with all 340 hits.
        let fits = try client.call(SearchRequest(collection: "kb", query: [0.1, 0.2], k: 340, exact: true))
        XCTAssertEqual(fits.results.first?.ids.count, 340)
        // 4 + 4 + 12 × 341 = 4100 > 4096: refused, though the limit is only 4 bytes away.
        XCTAssertThrowsError(try client.call(SearchRequest(collection: "kb", query: [0.1, 0.2], k: 341, exact: true))) { error in
            XCTAssertEqual((error as? WireError)?.code, .resourceExhausted)
            XCTAssertTrue("\(error)".contains("4100") && "\(error)".contains("4096"), "\(error)")
        }
        // Two queries of 170: 4 + 2 × (4 + 2040) = 4092 fits; three do not.
        XCTAssertEqual(try client.call(SearchRequest(collection: "kb", dimension: 2, queries: [Float](repeating: 0.3, count: 4),
                                                     k: 170)).results.count, 2)
        XCTAssertThrowsError(try client.call(SearchRequest(collection: "kb", dimension: 2, queries: [Float](repeating: 0.3, count: 6),
                                                           k: 170))) {
            XCTAssertEqual(($0 as? WireError)?.code, .resourceExhausted)
        }
        server.assertServing()
    }

    /// GET's tags are counted as the reply is built: a batch whose vectors fit
    /// but whose tags do not is refused, and one that fits is served whole.
    func testGetCountsTagsAgainstTheLimit() throws {
        let server = try TestServer { $0.maxReplyBytes = 2048 }
        let client = try server.client()
        _ = try client.call(CreateCollectionRequest(name: "kb", dimension: 2, metric: .l2))
        let tags = (0..<8).map { "tag-\($0)-" + String(repeating: "x", count: 40) }
        let batch = ItemBatch(dimension: 2, ids: Array(1...8), vectors: (0..<16).map { Float($0) + 1 },
                              groups: Array(1...8), tags: Array(repeating: tags, count: 8))
        _ = try client.call(UpsertRequest(collection: "kb", items: batch))
        // Fixed part: 12 + 8 × 33 = 276 bytes; the tags add 8 × 8 × 48 = 3072 more.
        XCTAssertThrowsError(try client.call(GetRequest(collection: "kb", ids: Array(1...8)))) { error in
            XCTAssertEqual((error as? WireError)?.code, .resourceExhausted)
            XCTAssertTrue("\(error)".contains("tags"), "\(error)")
        }
        let some = try client.call(GetRequest(collection: "kb", ids: [3, 4, 5]))
        XCTAssertEqual(some.items.ids, [3, 4, 5])
        XCTAssertEqual(some.items.tags.map { $0.map(Set.init) }, Array(repeating: Set(tags), count: 3))
        server.assertServing()
    }

    /// Each collection reserves address space for its index: without a cap,
    /// enough CREATE_COLLECTIONs at 16384 dimensions stopped the daemon (the
    /// reservation's `fatalError`). At the cap creation is refused; an
    /// identical existing one is still accepted, and dropping makes room.
    func testCollectionsBeyondTheLimitAreRefused() throws {
        let server = try TestServer { $0.maxCollections = 2 }
        let client = try server.client()
        for name in ["a", "b"] { XCTAssertTrue(try client.call(CreateCollectionRequest(name: name, dimension: 16_384)).created) }
        XCTAssertThrowsError(try client.call(CreateCollectionRequest(name: "c", dimension: 16_384))) { error in
            XCTAssertEqual((error as? WireError)?.code, .resourceExhausted)
            XCTAssertTrue("\(error)".contains("--max-collections 2"), "\(error)")
        }
        XCTAssertFalse(try client.call(CreateCollectionRequest(name: "a", dimension: 16_384, existOK: true)).created)
        _ = try client.call(DropCollectionRequest(name: "b"))
        XCTAssertTrue(try client.call(CreateCollectionRequest(name: "c", dimension: 4)).created)
        XCTAssertEqual(try client.call(ListCollectionsRequest()).collections.map(\.name), ["a", "c"])
        server.assertServing()
    }

    /// PING echoes at most the limit; replies whose size the server's own
    /// state decides (STATS) are checked once encoded and never sent over it.
    func testPingAndStatsAboveTheLimitAreRefusedAndTheConnectionStays() throws {
        let server = try TestServer { $0.maxReplyBytes = 1024 }
        for name in ["a", "b", "c", "d"] { try server.fill(name, dim: 2, count: 3) }
        let peer = try RawPeer(server.socketPath)
        try peer.hello()
        try peer.send(PingRequest(payload: [UInt8](repeating: 1, count: 1025)).frame(requestID: 2))
        XCTAssertTrue(try peer.expectError(.resourceExhausted, requestID: 2, kind: .ping).message.contains("1025"))
        try peer.send(StatsRequest().frame(requestID: 3))
        let stats = try peer.expectError(.resourceExhausted, requestID: 3, kind: .stats)
        XCTAssertTrue(stats.message.contains("not sent"), stats.message)
        try peer.send(PingRequest(payload: [UInt8](repeating: 2, count: 1024)).frame(requestID: 4))
        XCTAssertEqual(try peer.next()?.payload.count, 1024)
        server.assertServing()
    }
}

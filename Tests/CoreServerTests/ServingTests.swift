import CoreServer
import Foundation
import VectorIndex
import Wire
import XCTest

/// What a well-behaved client gets: every kind answered as `docs/PROTOCOL.md`
/// says, pipelined requests matched by id, results equal to the index's own.
final class ServingTests: XCTestCase {
    func testPipelinedSearchesMatchInProcessResults() throws {
        let server = try TestServer()
        let vectors = try server.fill(dim: 16, count: 1000)
        let client = try server.client()
        let queries = (0..<32).map { i in Array(vectors[(i * 16)..<(i * 16 + 16)]) }
        let requests = queries.map { SearchRequest(collection: "kb", query: $0, k: 5, exact: true) }
        let results = try client.callPipelined(requests)
        for (i, result) in results.enumerated() {
            let hits = try result.get().results[0]
            XCTAssertEqual(hits.ids.first, UInt64(i + 1), "query \(i) finds itself first")
            XCTAssertEqual(hits.ids.count, 5)
            XCTAssertEqual(hits.distances, hits.distances.sorted())
        }
        // HNSW with the default ef agrees with exact search on its own points.
        let approximate = try client.callPipelined(queries.map { SearchRequest(collection: "kb", query: $0, k: 1, ef: 64) })
        XCTAssertEqual(try approximate.map { try $0.get().results[0].ids }, (1...32).map { [UInt64($0)] })
    }

    func testCreateExistOKAndConflicts() throws {
        let server = try TestServer()
        let client = try server.client()
        XCTAssertTrue(try client.call(CreateCollectionRequest(name: "a", dimension: 4)).created)
        XCTAssertFalse(try client.call(CreateCollectionRequest(name: "a", dimension: 4, m: 16, existOK: true)).created)
        XCTAssertThrowsError(try client.call(CreateCollectionRequest(name: "a", dimension: 4))) {
            XCTAssertEqual(($0 as? WireError)?.code, .collectionExists)
        }
        XCTAssertThrowsError(try client.call(CreateCollectionRequest(name: "a", dimension: 8, existOK: true))) { error in
            XCTAssertEqual((error as? WireError)?.code, .collectionExists)
            XCTAssertTrue("\(error)".contains("dim 4"), "\(error)")
        }
        XCTAssertThrowsError(try client.call(CreateCollectionRequest(name: "b", dimension: 4, m: 400))) { error in
            XCTAssertEqual((error as? WireError)?.code, .invalidArgument)
            XCTAssertTrue("\(error)".contains("400"), "\(error)")
        }
        _ = try client.call(DropCollectionRequest(name: "a"))
        XCTAssertEqual(try client.call(ListCollectionsRequest()).collections.count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.dataPath + "/collections/a"))
    }

    func testUpsertCountsReplacementsAndDeleteSkipsUnknownIDs() throws {
        let server = try TestServer()
        try server.fill(dim: 2, count: 3)
        let client = try server.client()
        let reply = try client.call(UpsertRequest(collection: "kb", items: ItemBatch(dimension: 2, ids: [3, 4], vectors: [1, 1, 2, 2])))
        XCTAssertEqual(reply.inserted, 1)
        XCTAssertEqual(reply.replaced, 1)
        XCTAssertEqual(try client.call(DeleteRequest(collection: "kb", ids: [4, 5, 6])).deleted, 1)
        XCTAssertEqual(try client.call(DeleteRequest(collection: "kb", ids: [4])).deleted, 0)
    }

    func testFilteredSearchHonoursTags() throws {
        let server = try TestServer()
        let vectors = try server.fill(dim: 8, count: 300)
        let client = try server.client()
        let hits = try client.call(SearchRequest(collection: "kb", query: Array(vectors[0..<8]), k: 20,
                                                 filter: TagFilter(allOf: ["t1"]))).results[0]
        XCTAssertFalse(hits.ids.isEmpty)
        // fill() tags item i+1 with "t\(i % 3)": t1 holds ids ≡ 2 (mod 3).
        XCTAssertTrue(hits.ids.allSatisfy { $0 % 3 == 2 }, "\(hits.ids)")
    }

    func testSnapshotReplyNamesTheFile() throws {
        let server = try TestServer()
        try server.fill(dim: 4, count: 20)
        let client = try server.client()
        let snapshots = try client.call(SnapshotRequest()).snapshots
        XCTAssertEqual(snapshots.count, 1)
        let info = try XCTUnwrap(snapshots.first)
        XCTAssertEqual(info.collection, "kb")
        XCTAssertTrue(info.path.hasPrefix(server.dataPath + "/collections/kb/snapshot-"), info.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: info.path)
        XCTAssertEqual((attributes[.size] as? Int).map(UInt64.init), info.bytes)
        XCTAssertNoThrow(try SnapshotVerifier.verify(path: info.path))
    }

    func testAProtocol10ClientGetsThe10SnapshotLayout() throws {
        let server = try TestServer()
        try server.fill(dim: 4, count: 5)
        let peer = try RawPeer(server.socketPath)
        try peer.send(HelloRequest(major: 1, minor: 0, clientName: "old").frame(requestID: 1))
        XCTAssertEqual(try HelloResponse.decode(payload: try XCTUnwrap(try peer.next()).payload).minor, 0)
        try peer.send(SnapshotRequest(collection: "kb").frame(requestID: 2))
        let reply = try SnapshotResponse.decode(payload: try XCTUnwrap(try peer.next()).payload)
        XCTAssertEqual(reply.layoutMinor, 0)
        XCTAssertEqual(reply.snapshots.first?.path, "")
    }

    func testStatsReportsCollectionsAndRequests() throws {
        let server = try TestServer()
        try server.fill(dim: 4, count: 20)
        let client = try server.client()
        for _ in 0..<5 { _ = try client.call(PingRequest()) }
        _ = try? client.call(SearchRequest(collection: "missing", query: [1], k: 1))
        let json = try client.call(StatsRequest()).json
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let serverSection = try XCTUnwrap(document["server"] as? [String: Any])
        XCTAssertEqual((serverSection["requests"] as? [String: Any])?["PING"] as? Int, 5)
        XCTAssertEqual((serverSection["errors"] as? [String: Any])?["UNKNOWN_COLLECTION"] as? Int, 1)
        XCTAssertNotNil((serverSection["latency_us"] as? [String: Any])?["PING"])
        XCTAssertEqual(serverSection["connections"] as? Int, 1)
        let kb = try XCTUnwrap((document["collections"] as? [String: Any])?["kb"] as? [String: Any])
        XCTAssertEqual(kb["count"] as? Int, 20)
        XCTAssertEqual(kb["dim"] as? Int, 4)
        XCTAssertEqual(kb["metric"] as? String, "l2")
        XCTAssertGreaterThan(kb["memory_bytes"] as? Int ?? 0, 0)
    }

    func testAsyncClientPipelinesAgainstTheServer() async throws {
        let server = try TestServer()
        try server.fill(dim: 8, count: 200)
        let client = try await LoopdeskClient.connect(socketPath: server.socketPath)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 {
                group.addTask {
                    if i % 2 == 0 {
                        let hits = try await client.search(collection: "kb", query: [Float](repeating: Float(i), count: 8), k: 3)
                        XCTAssertEqual(hits.ids.count, 3)
                    } else {
                        let echo = try await client.ping([UInt8(i)])
                        XCTAssertEqual(echo, [UInt8(i)])
                    }
                }
            }
            try await group.waitForAll()
        }
        client.close()
    }
}

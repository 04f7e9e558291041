import XCTest
import LoopdeskTestSupport
@testable import Wire

/// `LoopdeskClient` and `LoopdeskBlockingClient` against a fake server on a temporary socket.
final class LoopdeskClientTests: XCTestCase {
    /// Replies to HELLO at once; PINGs are held until `batch` are in, then answered last first.
    private static func reversingServer(batch: Int) throws -> FakeCoreServer {
        try FakeCoreServer { connection, header, payload in
            guard header.kind == .ping else { return connection.send(FakeCoreServer.reply(to: header, payload: payload)) }
            connection.hold(PingResponse(payload: payload).frame(requestID: header.requestID, flags: .response))
            if connection.held.count == batch { connection.flush(reversed: true) }
        }
    }

    func testHandshakeAndEveryTypedCall() async throws {
        let server = try FakeCoreServer()
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path, clientName: "tests")
        XCTAssertEqual(client.server.serverName, "fake")
        XCTAssertEqual(client.server.maxInFlight, 64)

        let echoed = try await client.ping([1, 2, 3])
        XCTAssertEqual(echoed, [1, 2, 3])
        let created = try await client.createCollection(name: "kb", dimension: 2, metric: .l2)
        XCTAssertTrue(created)
        let collections = try await client.listCollections()
        XCTAssertEqual(collections, [FakeCoreServer.listedCollection])
        let upserted = try await client.upsert(collection: "kb", items: ItemBatch(dimension: 2, ids: [1, 2], vectors: [1, 2, 3, 4]))
        XCTAssertEqual(upserted, UpsertResponse(inserted: 2, replaced: 0))
        let deleted = try await client.delete(collection: "kb", ids: [1])
        XCTAssertEqual(deleted, 1)
        let items = try await client.get(collection: "kb", ids: [4, 5])
        XCTAssertEqual(items.ids, [4, 5])
        XCTAssertEqual(Array(items.vector(at: 1)), [5, 0.5])
        let hit = try await client.search(collection: "kb", query: [1, 0], k: 3)
        XCTAssertEqual(hit, SearchResult(ids: [0], distances: [0.25]))
        let hits = try await client.search(collection: "kb", dimension: 2, queries: [1, 0, 0, 1, 1, 1], k: 3)
        XCTAssertEqual(hits.map(\.ids), [[0], [1], [2]])
        let ranked = try await client.rank(collection: "kb", query: [1, 0], k: 3, contextTags: ["plan:pro"],
                                           callerFeatures: [CallerFeature(name: "bm25", values: [5: 0.5])])
        XCTAssertEqual(ranked.impression, 9)
        XCTAssertEqual(ranked.featureNames, ["bias"])
        XCTAssertEqual(ranked.groups.first?.score, RankScore(score: 0.6, lower: 0.4, upper: 0.75))
        let rescored = try await client.feedback(collection: "kb", impression: ranked.impression, group: 5, outcome: .csat(5))
        XCTAssertEqual(rescored.map(\.group), [5])
        let snapshots = try await client.snapshot()
        XCTAssertEqual(snapshots.first?.sequence, 3)
        let stats = try await client.stats()
        XCTAssertTrue(stats.contains("connections"))
        try await client.dropCollection(name: "kb")
        client.close()
    }

    func testPipelinedRequestsAreMatchedByIDWhenAnsweredOutOfOrder() async throws {
        let count = 48
        let server = try Self.reversingServer(batch: count)
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for i in 0..<count {
                group.addTask { (i, try await client.ping([UInt8(i), UInt8(truncatingIfNeeded: i &* 7)])) }
            }
            var seen = 0
            for try await (i, echoed) in group {
                XCTAssertEqual(echoed, [UInt8(i), UInt8(truncatingIfNeeded: i &* 7)], "reply routed to the wrong request")
                seen += 1
            }
            XCTAssertEqual(seen, count)
        }
    }

    func testServerErrorIsPreciseAndTheConnectionGoesOn() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            if header.kind == .search {
                connection.send(ErrorPayload.frame(WireError(.wrongDimension, "dimension 2 does not match collection kb (384)"),
                                                   kind: header.kind, requestID: header.requestID))
            } else {
                connection.send(FakeCoreServer.reply(to: header, payload: payload))
            }
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        do {
            _ = try await client.search(collection: "kb", query: [1, 2], k: 1)
            XCTFail("expected an error")
        } catch let error as WireError {
            XCTAssertEqual(error.code, .wrongDimension)
            XCTAssertTrue(error.message.contains("384"))
        }
        let echoed = try await client.ping([9])
        XCTAssertEqual(echoed, [9])
        XCTAssertTrue(client.isConnected)
    }

    func testDisconnectFailsEveryPendingRequestAndLaterOnes() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            guard header.kind == .ping else { return connection.send(FakeCoreServer.reply(to: header, payload: payload)) }
            connection.hold([])
            if connection.held.count == 5 { connection.closeRequested = true }
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        let failures = try await withThrowingTaskGroup(of: (any Error)?.self) { group in
            for i in 0..<5 {
                group.addTask {
                    do { _ = try await client.ping([UInt8(i)]); return nil } catch { return error }
                }
            }
            var all: [any Error] = []
            for try await error in group { if let error { all.append(error) } }
            return all
        }
        XCTAssertEqual(failures.count, 5)
        for failure in failures {
            guard case .closed(let why)? = failure as? ConnectionError else { return XCTFail("\(failure)") }
            XCTAssertTrue(why.contains("server closed"), why)
        }
        XCTAssertFalse(client.isConnected)
        do {
            _ = try await client.ping()
            XCTFail("a closed client must refuse")
        } catch is ConnectionError {}
    }

    func testNoticeFailsPendingRequestsWithItsCode() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            guard header.kind == .ping else { return connection.send(FakeCoreServer.reply(to: header, payload: payload)) }
            connection.hold([])
            if connection.held.count == 3 {
                connection.send(ErrorPayload.frame(WireError(.shuttingDown, "loopdesk-core is stopping"), kind: .notice, requestID: 0))
                connection.closeRequested = true
            }
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        _ = try await client.ping()
                        XCTFail("expected SHUTTING_DOWN")
                    } catch {
                        XCTAssertEqual((error as? WireError)?.code, .shuttingDown, "\(error)")
                    }
                }
            }
        }
    }

    func testGarbageFromTheServerIsAProtocolViolation() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            guard header.kind == .ping else { return connection.send(FakeCoreServer.reply(to: header, payload: payload)) }
            connection.send([0, 0, 0, 0, 0x02, 0x01, 0xAB, 0xCD, 1, 0, 0, 0]) // reserved field set
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        do {
            _ = try await client.ping()
            XCTFail("expected a protocol violation")
        } catch let error as ConnectionError {
            guard case .protocolViolation(let wire) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(wire.code, .malformedFrame)
        }
    }

    func testUnsupportedVersionIsRefusedClearly() async throws {
        let server = try FakeCoreServer { connection, header, _ in
            connection.send(ErrorPayload.frame(WireError(.unsupportedVersion, "this server speaks major 2 (2.0)"),
                                               kind: header.kind, requestID: header.requestID))
        }
        defer { server.stop() }
        do {
            _ = try await LoopdeskClient.connect(socketPath: server.path)
            XCTFail("expected a refusal")
        } catch let error as ConnectionError {
            guard case .handshakeFailed(let wire) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(wire.code, .unsupportedVersion)
            XCTAssertTrue(error.description.contains("major 2"))
        }
        XCTAssertThrowsError(try LoopdeskBlockingClient(socketPath: server.path)) { error in
            guard case .handshakeFailed(let wire)? = error as? ConnectionError else { return XCTFail("\(error)") }
            XCTAssertEqual(wire.code, .unsupportedVersion)
        }
    }

    func testConnectingToNothingSaysSo() async throws {
        do {
            _ = try await LoopdeskClient.connect(socketPath: "/tmp/no-such-loopdesk-\(getpid()).sock")
            XCTFail("expected connectFailed")
        } catch let error as ConnectionError {
            guard case .connectFailed(_, let code) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, ENOENT)
            XCTAssertTrue(error.description.contains("loopdesk-core serve"))
        }
    }

    func testInvalidRequestsAndOversizedPayloadsFailBeforeSending() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            if header.kind == .hello {
                connection.send(HelloResponse(maxPayloadLength: 1024, maxInFlight: 4, serverName: "small")
                    .frame(requestID: header.requestID, flags: .response))
            } else {
                connection.send(FakeCoreServer.reply(to: header, payload: payload))
            }
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        do {
            _ = try await client.ping([UInt8](repeating: 0, count: 1025))
            XCTFail("expected frameTooLarge")
        } catch let error as WireError {
            XCTAssertEqual(error.code, .frameTooLarge)
        }
        do {
            _ = try await client.search(collection: "kb", query: [1], k: 0)
            XCTFail("expected invalidArgument")
        } catch let error as WireError {
            XCTAssertEqual(error.code, .invalidArgument)
        }
        let echoed = try await client.ping([UInt8](repeating: 1, count: 1024))
        XCTAssertEqual(echoed.count, 1024)
    }

    func testCancelledRequestThrowsAndTheConnectionGoesOn() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            if header.kind == .ping && payload == [0xFF] { return } // never answered
            connection.send(FakeCoreServer.reply(to: header, payload: payload))
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        let stuck = Task { try await client.ping([0xFF]) }
        try await Task.sleep(nanoseconds: 20_000_000)
        stuck.cancel()
        do {
            _ = try await stuck.value
            XCTFail("expected cancellation")
        } catch is CancellationError {}
        let echoed = try await client.ping([1])
        XCTAssertEqual(echoed, [1])
    }

    func testCloseFailsPendingRequests() async throws {
        let server = try FakeCoreServer { connection, header, payload in
            if header.kind == .ping { return }
            connection.send(FakeCoreServer.reply(to: header, payload: payload))
        }
        defer { server.stop() }
        let client = try await LoopdeskClient.connect(socketPath: server.path)
        let pending = Task { try await client.ping() }
        try await Task.sleep(nanoseconds: 20_000_000)
        client.close()
        do {
            _ = try await pending.value
            XCTFail("expected closed")
        } catch let error as ConnectionError {
            XCTAssertEqual(error, .closed("closed by the client"))
        }
    }

    func testBlockingClientCallsAndPipelines() throws {
        let server = try Self.reversingServer(batch: 16)
        defer { server.stop() }
        let client = try LoopdeskBlockingClient(socketPath: server.path)
        let results = try client.callPipelined((0..<16).map { PingRequest(payload: [UInt8($0)]) })
        XCTAssertEqual(try results.map { try $0.get().payload }, (0..<16).map { [UInt8($0)] })
        let stats = try client.call(StatsRequest())
        XCTAssertTrue(stats.json.hasPrefix("{"))
        let ranked = try client.call(RankRequest(collection: "kb", query: [1], k: 1))
        XCTAssertEqual(ranked.groups.map(\.group), [5])
        let rescored = try client.call(FeedbackRequest(collection: "kb", impression: ranked.impression, group: 5, outcome: .resolved))
        XCTAssertEqual(rescored.groups.map(\.group), [5])
        XCTAssertThrowsError(try client.call(SearchRequest(collection: "kb", query: [1], k: 0))) {
            XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument)
        }
    }
}

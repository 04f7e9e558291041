import Primitives
@testable import Wire
import XCTest

/// Every way a payload can break docs/PROTOCOL.md yields the precise code, and a message naming what.
final class MalformedPayloadTests: XCTestCase {
    private func expect(_ code: ErrorCode, kind: MessageKind, _ payload: [UInt8], mentions: String? = nil,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Request.decode(kind: kind, payload: payload), file: file, line: line) { error in
            guard let error = error as? WireError else { return XCTFail("not a WireError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.code, code, error.message, file: file, line: line)
            if let mentions {
                XCTAssertTrue(error.message.contains(mentions), "\"\(error.message)\" lacks \"\(mentions)\"", file: file, line: line)
            }
        }
    }

    private func expect<R: WireRequest>(_ code: ErrorCode, _ request: R, mentions: String? = nil,
                                        file: StaticString = #filePath, line: UInt = #line) {
        expect(code, kind: R.kind, request.payloadBytes, mentions: mentions, file: file, line: line)
    }

    func testEveryTruncationOfEveryRequestIsMalformedPayload() {
        for request in Samples.requests where request.kind != .ping {
            let payload = request.message.payloadBytes
            for cut in 0..<payload.count {
                expect(.malformedPayload, kind: request.kind, Array(payload[0..<cut]))
            }
        }
    }

    func testEveryTruncationOfEveryResponseIsMalformedPayload() {
        for response in Samples.responses where response.kind != .ping {
            let payload = response.message.payloadBytes
            // A 1.1 SNAPSHOT reply cut exactly after its 1.0 fields is a valid 1.0 reply (§10).
            var olderLayout = -1
            if case .snapshot(let reply) = response { olderLayout = SnapshotResponse(snapshots: reply.snapshots, layoutMinor: 0).payloadBytes.count }
            for cut in 0..<payload.count where cut != olderLayout {
                XCTAssertThrowsError(try Response.decode(kind: response.kind, payload: Array(payload[0..<cut]))) {
                    XCTAssertEqual(($0 as? WireError)?.code, .malformedPayload, "\(response.kind) cut at \(cut)")
                }
            }
        }
    }

    func testTrailingBytesAreMalformedPayload() {
        for request in Samples.requests where request.kind != .ping {
            expect(.malformedPayload, kind: request.kind, request.message.payloadBytes + [0], mentions: "trailing")
        }
    }

    func testWrongVectorByteCount() {
        var upsert = UpsertRequest(collection: "kb", items: ItemBatch(dimension: 4, ids: [1, 2], vectors: [Float](repeating: 1, count: 8)))
        var bytes = upsert.payloadBytes
        bytes.removeLast(4)
        expect(.malformedPayload, kind: .upsert, bytes, mentions: "vectors")
        upsert.items.vectors.append(1) // 9 floats for 2 × 4: the sender's mistake, caught before sending
        XCTAssertThrowsError(try upsert.validate()) { XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument) }

        var search = SearchRequest(collection: "kb", dimension: 3, queries: [1, 2, 3, 4, 5, 6], k: 1).payloadBytes
        search.removeLast(2)
        expect(.malformedPayload, kind: .search, search, mentions: "queries")
    }

    func testForgedHugeCountsFailWithoutAllocating() {
        var writer = ByteWriter()
        writer.write(string: "kb")
        writer.write(UInt32(16_384)) // dim
        writer.write(UInt32.max)     // count
        writer.write(UInt8(0))
        expect(.malformedPayload, kind: .upsert, writer.bytes, mentions: "ids")

        var search = ByteWriter()
        search.write(string: "kb")
        search.write(UInt32.max); search.write(UInt32.max); search.write(UInt32(1)); search.write(UInt32(0))
        search.write(UInt8(0)); search.write(UInt8(0)); search.write(UInt8(0))
        expect(.malformedPayload, kind: .search, search.bytes, mentions: "queries")
    }

    func testBadUTF8Name() {
        var writer = ByteWriter()
        writer.write(UInt16(3))
        writer.write(raw: [0x6b, 0xff, 0x62])
        expect(.malformedPayload, kind: .dropCollection, writer.bytes, mentions: "UTF-8")
        var stats = ByteWriter()
        stats.write(UInt32(2))
        stats.write(raw: [0xc3, 0x28])
        XCTAssertThrowsError(try StatsResponse.decode(payload: stats.bytes)) {
            XCTAssertEqual(($0 as? WireError)?.code, .malformedPayload)
        }
    }

    func testUnknownEnumValuesAndOptionBits() {
        var create = CreateCollectionRequest(name: "kb", dimension: 3).payloadBytes
        let metricOffset = 2 + 2 + 4
        create[metricOffset] = 3
        expect(.malformedPayload, kind: .createCollection, create, mentions: "metric")
        create[metricOffset] = 0
        create[metricOffset + 1] = 9
        expect(.malformedPayload, kind: .createCollection, create, mentions: "storage")
        create[metricOffset + 1] = 0
        create[create.count - 1] = 0x02
        expect(.malformedPayload, kind: .createCollection, create, mentions: "options")

        var get = GetRequest(collection: "kb", ids: [1]).payloadBytes
        get[4] = 0x80
        expect(.malformedPayload, kind: .get, get, mentions: "options")

        var upsert = UpsertRequest(collection: "kb", items: ItemBatch(dimension: 1, ids: [1], vectors: [1])).payloadBytes
        upsert[4 + 8] = 0x04
        expect(.malformedPayload, kind: .upsert, upsert, mentions: "fields")
    }

    func testRankingPayloadsWithUnknownValues() {
        var feedback = FeedbackRequest(collection: "kb", impression: 1, group: 2, outcome: .resolved).payloadBytes
        feedback[feedback.count - 1] = 6
        expect(.malformedPayload, kind: .feedback, feedback, mentions: "outcome 6")
        feedback[feedback.count - 1] = 0
        expect(.malformedPayload, kind: .feedback, feedback, mentions: "outcome 0")
        // csat without its score, corrected without its group
        feedback[feedback.count - 1] = 4
        expect(.malformedPayload, kind: .feedback, feedback, mentions: "csat")
        feedback[feedback.count - 1] = 3
        expect(.malformedPayload, kind: .feedback, feedback, mentions: "groupUsedInstead")

        var rank = RankRequest(collection: "kb", query: [1], k: 1).payloadBytes
        let optionsOffset = 2 + 2 + 4 * 4
        XCTAssertEqual(rank[optionsOffset], 0x01)
        rank[optionsOffset] = 0x03
        expect(.malformedPayload, kind: .rank, rank, mentions: "options")

        var reply = RankResponse(impression: 1, explored: false, featureNames: [], groups: []).payloadBytes
        reply[8] = 2
        XCTAssertThrowsError(try Response.decode(kind: .rank, payload: reply)) {
            XCTAssertEqual(($0 as? WireError)?.code, .malformedPayload)
        }
        // A forged huge caller-feature count fails on the bytes, not by allocating.
        var forged = RankRequest(collection: "kb", query: [1], k: 1,
                                 callerFeatures: [CallerFeature(name: "bm25", groups: [1], values: [0.5])]).payloadBytes
        let countOffset = optionsOffset + 1 + 1 + 1 + 1 + 1 + 2 + 4
        XCTAssertEqual(forged[countOffset], 1)
        forged.replaceSubrange(countOffset..<(countOffset + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        expect(.malformedPayload, kind: .rank, forged)
    }

    func testRankingInvalidArguments() {
        let q: [Float] = [1, 2]
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 0), mentions: "k = 0")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 1001), mentions: "k = 1001")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 5, candidates: 10_001), mentions: "C = 10001")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 5, candidates: 200, ef: 100), mentions: "ef = 100")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 5, ef: 50), mentions: "C = 100")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 5, contextTags: [""]), mentions: "context tags")
        expect(.invalidArgument, RankRequest(collection: "kb", query: q, k: 5, callerFeatures: [
            CallerFeature(name: "bm25", groups: [1], values: [0.1]), CallerFeature(name: "bm25", groups: [2], values: [0.2]),
        ]), mentions: "twice")
        expect(.invalidArgument, RankRequest(collection: ".kb", query: q, k: 5), mentions: "collection name")
        expect(.invalidArgument, FeedbackRequest(collection: "kb", impression: 1, group: 1, outcome: .resolved, time: -1),
               mentions: "time")
        expect(.invalidArgument, FeedbackRequest(collection: "kb", impression: 1, group: 1, outcome: .resolved, time: .nan),
               mentions: "time")
    }

    func testHelloWithWrongMagic() {
        expect(.malformedPayload, HelloRequest(clientName: "x", magic: 0x1234_5678), mentions: "magic")
    }

    func testUnknownAndReservedKinds() {
        expect(.unknownKind, kind: MessageKind(rawValue: 0x99), [], mentions: "0x99")
        expect(.unknownKind, kind: MessageKind(rawValue: 0x33), [])
        expect(.unknownKind, kind: .notice, [])
        XCTAssertThrowsError(try Response.decode(kind: MessageKind(rawValue: 0x33), payload: [])) {
            XCTAssertEqual(($0 as? WireError)?.code, .unknownKind)
        }
    }

    func testInvalidArguments() {
        let q: [Float] = [1, 2]
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 0), mentions: "k = 0")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 10_001), mentions: "k = 10001")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 10, ef: 5), mentions: "ef = 5")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 10, ef: 100_001), mentions: "ef")
        expect(.invalidArgument, SearchRequest(collection: "kb", dimension: 2, queries: [], k: 1), mentions: "no query")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: [], k: 1), mentions: "dimension 0")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 1, filter: TagFilter(allOf: [""])), mentions: "tag")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 1,
                                               filter: TagFilter(anyOf: [String(repeating: "x", count: 256)])), mentions: "256 bytes")
        expect(.invalidArgument, SearchRequest(collection: "kb", query: q, k: 1,
                                               filter: TagFilter(anyOf: (0..<65).map { "t\($0)" })), mentions: "65 tags")
        XCTAssertNoThrow(try Request.decode(kind: .search, payload: SearchRequest(collection: "kb", query: q, k: 10, ef: 10).payloadBytes))

        expect(.invalidArgument, UpsertRequest(collection: "kb", items: ItemBatch(dimension: 2, ids: [], vectors: [])), mentions: "empty batch")
        expect(.invalidArgument, UpsertRequest(collection: "kb", items: ItemBatch(dimension: 1, ids: [4, 5, 4], vectors: [1, 2, 3])),
               mentions: "id 4 appears more than once")
        expect(.invalidArgument, UpsertRequest(collection: "kb", items: ItemBatch(dimension: 16_385, ids: [1],
                                                                                vectors: [Float](repeating: 0, count: 16_385))),
               mentions: "16385")
        expect(.invalidArgument, DeleteRequest(collection: "kb", ids: []), mentions: "empty batch")
        expect(.invalidArgument, DeleteRequest(collection: "kb", ids: [9, 9]), mentions: "id 9")
        expect(.invalidArgument, GetRequest(collection: "kb", ids: [3, 3]), mentions: "id 3")

        for name in ["", ".hidden", "a/b", "sp ace", "ümlaut", String(repeating: "n", count: 65)] {
            expect(.invalidArgument, DropCollectionRequest(name: name), mentions: "collection name")
        }
        XCTAssertNoThrow(try Request.decode(kind: .dropCollection,
                                            payload: DropCollectionRequest(name: String(repeating: "n", count: 64)).payloadBytes))
        expect(.invalidArgument, CreateCollectionRequest(name: "kb", dimension: 0), mentions: "dimension 0")
        expect(.invalidArgument, CreateCollectionRequest(name: "kb", dimension: 8, m: 1), mentions: "M 1")
        expect(.invalidArgument, CreateCollectionRequest(name: "kb", dimension: 8, efConstruction: 100_001), mentions: "efConstruction")
        expect(.invalidArgument, StatsRequest(collection: "../etc"), mentions: "collection name")
        expect(.invalidArgument, HelloRequest(clientName: String(repeating: "c", count: 256)), mentions: "256 bytes")
    }

    func testErrorPayloadTruncatedOrTrailing() {
        let good = ErrorPayload.frame(WireError(.busy, "later"), kind: .ping, requestID: 1)
        let payload = Array(good[12...])
        for cut in 0..<payload.count {
            XCTAssertThrowsError(try ErrorPayload.decode(Array(payload[0..<cut])))
        }
        XCTAssertThrowsError(try ErrorPayload.decode(payload + [1]))
    }
}

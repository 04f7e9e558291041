import XCTest
import Primitives
@testable import Wire

/// Issue 14: the codec reports what it cannot encode or should not buffer as
/// a `WireError` instead of trapping or allocating for bytes not received.
final class EncodingLimitTests: XCTestCase {
    func testFrameAboveItsLimitThrowsFrameTooLargeInsteadOfTrapping() {
        XCTAssertThrowsError(try PingRequest(payload: [UInt8](repeating: 1, count: 101)).frame(requestID: 1, maxPayloadLength: 100)) {
            XCTAssertEqual(($0 as? WireError)?.code, .frameTooLarge)
            XCTAssertTrue("\($0)".contains("101") && "\($0)".contains("100"), "\($0)")
        }
        XCTAssertEqual(try PingRequest(payload: [UInt8](repeating: 1, count: 100)).frame(requestID: 1, maxPayloadLength: 100).count, 112)
    }

    func testInconsistentRepliesThrowInsteadOfTrapping() {
        let search = SearchResponse(results: [SearchResult(ids: [1, 2], distances: [0.5])])
        XCTAssertThrowsError(try search.frame(requestID: 1, flags: .response)) {
            XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument)
            XCTAssertTrue("\($0)".contains("2 ids and 1 distances"), "\($0)")
        }
        let rank = RankResponse(impression: 1, explored: false, featureNames: ["a", "b"], groups: [
            RankedItem(group: 7, bestVector: 70, bestSimilarity: 1, score: RankScore(score: 0.5, lower: 0, upper: 1),
                       propensity: 1, features: [1]),
        ])
        XCTAssertThrowsError(try rank.payloadBytes) { XCTAssertTrue("\($0)".contains("group 7"), "\($0)") }
        let request = RankRequest(collection: "kb", query: [1], k: 1,
                                  callerFeatures: [CallerFeature(name: "bm25", groups: [1, 2], values: [0.5])])
        XCTAssertThrowsError(try request.payloadBytes) { XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument) }
    }

    func testStringsTooLongForAStrThrow() {
        let long = String(repeating: "x", count: 70_000)
        XCTAssertThrowsError(try StatsRequest(collection: long).payloadBytes) {
            XCTAssertTrue("\($0)".contains("STATS collection") && "\($0)".contains("70000"), "\($0)")
        }
        XCTAssertThrowsError(try SearchRequest(collection: "kb", query: [1], k: 1, filter: TagFilter(allOf: [long])).payloadBytes)
        // An error frame never fails: its message is cut to fit.
        let frame = ErrorPayload.frame(WireError(.internal, long), kind: .stats, requestID: 3)
        XCTAssertEqual(frame.count, 12 + 4 + 65_532)
        XCTAssertEqual(try ErrorPayload.decode(Array(frame[12...])).message.utf8.count, 65_532)
    }

    /// A header that announces a large payload makes the decoder offer room
    /// for the bytes received, not for the length announced (today's decoder
    /// offered, and allocated, all 60 MiB). Growth as bytes arrive:
    /// `FrameDecoderTests.testReceiveWritesStraightIntoTheBufferAndOffersRoomAsBytesArrive`.
    func testReceiveBufferGrowsWithBytesReceivedNotWithTheAnnouncedLength() throws {
        var decoder = FrameDecoder(maxPayloadLength: 64 << 20, initialCapacity: 1024)
        var writer = ByteWriter()
        FrameHeader(payloadLength: 60 << 20, kind: .ping, flags: [], requestID: 1).encode(into: &writer)
        decoder.append(writer.bytes)
        var offered = 0
        _ = decoder.receive(minimumSpace: 4096) { buffer in
            offered = buffer.count
            return 0
        }
        XCTAssertLessThanOrEqual(offered, 8192, "the decoder offered \(offered) bytes for 12 received")
        XCTAssertLessThanOrEqual(decoder.bufferCapacity, 8192)
    }

    func testTagListsLongerThanTheLimitAreRefusedWhileDecoding() {
        var writer = ByteWriter()
        writer.write(UInt16(2))
        writer.write(raw: Array("kb".utf8))
        for field: UInt32 in [1, 1, 1, 0] { writer.write(field) } // dim, queryCount, k, ef
        writer.write(UInt8(0))                                     // options
        writer.write(UInt8(200))                                   // 200 empty allOf tags, then nothing
        for _ in 0..<200 { writer.write(UInt16(0)) }
        XCTAssertThrowsError(try Request.decode(kind: .search, payload: writer.bytes)) {
            XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument)
            XCTAssertTrue("\($0)".contains("200 tags"), "\($0)")
        }
    }
}

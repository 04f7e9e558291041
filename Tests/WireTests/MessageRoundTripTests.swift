import Primitives
@testable import Wire
import XCTest

/// Every request and reply encodes and decodes back to itself (docs/PROTOCOL.md §7).
final class MessageRoundTripTests: XCTestCase {
    func testEveryRequestRoundTrips() throws {
        var kinds = Set<MessageKind>()
        for (index, request) in Samples.requests.enumerated() {
            let bytes = request.frame(requestID: UInt32(index + 1))
            var decoder = FrameDecoder()
            decoder.append(bytes)
            guard case .frame(let frame) = try decoder.next() else { return XCTFail("no frame for \(request.kind)") }
            XCTAssertNoThrow(try frame.header.validateAsRequest())
            XCTAssertEqual(frame.header.kind, request.kind)
            XCTAssertEqual(frame.header.requestID, UInt32(index + 1))
            XCTAssertEqual(Int(frame.header.payloadLength), bytes.count - 12)
            XCTAssertEqual(try Request.decode(kind: frame.header.kind, payload: frame.payload), request)
            kinds.insert(request.kind)
        }
        XCTAssertEqual(kinds, Set(MessageKind.defined), "every defined kind has a sample request")
    }

    func testEveryResponseRoundTrips() throws {
        var kinds = Set<MessageKind>()
        for response in Samples.responses {
            let bytes = response.frame(requestID: 77)
            var decoder = FrameDecoder()
            decoder.append(bytes)
            guard case .frame(let frame) = try decoder.next() else { return XCTFail("no frame") }
            XCTAssertNoThrow(try frame.header.validateAsResponse())
            XCTAssertEqual(frame.header.flags, .response)
            XCTAssertEqual(try Response.decode(kind: frame.header.kind, payload: frame.payload), response)
            kinds.insert(response.kind)
        }
        XCTAssertEqual(kinds, Set(MessageKind.defined), "every defined kind has a sample reply")
    }

    func testErrorFrameRoundTripsAndIsFlagged() throws {
        let error = WireError(.wrongDimension, "dimension 3 does not match collection kb (384)")
        let bytes = ErrorPayload.frame(error, kind: .search, requestID: 7)
        XCTAssertEqual(Array(bytes[4..<12]), [0x30, 0x03, 0, 0, 7, 0, 0, 0])
        XCTAssertEqual(Array(bytes[12..<14]), [22, 0])
        var decoder = FrameDecoder()
        decoder.append(bytes)
        guard case .frame(let frame) = try decoder.next() else { return XCTFail("no frame") }
        XCTAssertTrue(frame.header.isError)
        XCTAssertEqual(try ErrorPayload.decode(frame.payload), error)
    }

    func testOverlongErrorMessageIsCutAtAScalarBoundary() throws {
        let message = String(repeating: "é", count: 40_000) // 80 000 bytes
        let bytes = ErrorPayload.frame(WireError(.internal, message), kind: .notice, requestID: 0)
        let decoded = try ErrorPayload.decode(Array(bytes[12...]))
        XCTAssertLessThanOrEqual(decoded.message.utf8.count, 65_535)
        XCTAssertTrue(message.hasPrefix(decoded.message.dropLast()))
    }

    /// 1.1 appends the snapshot paths after the 1.0 list (§7.11, §10): a 1.0
    /// layout still decodes (paths empty), and the 1.1 layout carries them.
    func testSnapshotReplyPathsAreAMinorVersionAddition() throws {
        let infos = [SnapshotInfo(collection: "a", sequence: 1, bytes: 10, path: "/d/collections/a/snapshot-1.ldx"),
                     SnapshotInfo(collection: "b", sequence: 2, bytes: 20, path: "/d/collections/b/snapshot-2.ldx")]
        let old = SnapshotResponse(snapshots: infos, layoutMinor: 0).payloadBytes
        let new = SnapshotResponse(snapshots: infos, layoutMinor: 1).payloadBytes
        XCTAssertEqual(Array(new.prefix(old.count)), old, "the 1.0 layout is a prefix of the 1.1 layout")
        let fromOld = try SnapshotResponse.decode(payload: old)
        XCTAssertEqual(fromOld.layoutMinor, 0)
        XCTAssertEqual(fromOld.snapshots.map(\.path), ["", ""])
        XCTAssertEqual(fromOld.snapshots.map(\.sequence), [1, 2])
        let fromNew = try SnapshotResponse.decode(payload: new)
        XCTAssertEqual(fromNew.layoutMinor, 1)
        XCTAssertEqual(fromNew.snapshots, infos)
        XCTAssertThrowsError(try SnapshotResponse.decode(payload: Array(new.dropLast()))) { error in
            XCTAssertEqual((error as? WireError)?.code, .malformedPayload)
        }
    }

    func testVectorsAreBitExact() throws {
        let specials: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let batch = ItemBatch(dimension: 6, ids: [1], vectors: specials)
        let decoded = try GetResponse.decode(payload: GetResponse(items: batch).payloadBytes)
        XCTAssertEqual(decoded.items.vectors.map(\.bitPattern), specials.map(\.bitPattern))
        XCTAssertEqual(Array(decoded.items.vector(at: 0)).count, 6)
    }

    func testItemBatchLayoutIsColumnar() throws {
        let batch = ItemBatch(dimension: 2, ids: [1, 2], vectors: [1, 2, 3, 4], groups: [5, 6], tags: [["a"], []])
        let bytes = UpsertRequest(collection: "c", items: batch).payloadBytes
        var expected = ByteWriter()
        expected.write(string: "c")
        expected.write(UInt32(2)); expected.write(UInt32(2)); expected.write(UInt8(3))
        expected.write(UInt64(1)); expected.write(UInt64(2))
        for f: Float in [1, 2, 3, 4] { expected.write(f) }
        expected.write(UInt64(5)); expected.write(UInt64(6))
        expected.write(UInt8(1)); expected.write(string: "a"); expected.write(UInt8(0))
        XCTAssertEqual(bytes, expected.bytes)
    }

    func testErrorCodesMatchTheTable() {
        let table: [(ErrorCode, UInt16, String)] = [
            (.malformedFrame, 1, "MALFORMED_FRAME"), (.frameTooLarge, 2, "FRAME_TOO_LARGE"),
            (.unknownKind, 3, "UNKNOWN_KIND"), (.malformedPayload, 4, "MALFORMED_PAYLOAD"),
            (.unsupportedVersion, 5, "UNSUPPORTED_VERSION"), (.handshakeRequired, 6, "HANDSHAKE_REQUIRED"),
            (.requestIDInUse, 7, "REQUEST_ID_IN_USE"), (.busy, 8, "BUSY"), (.shuttingDown, 9, "SHUTTING_DOWN"),
            (.permissionDenied, 10, "PERMISSION_DENIED"), (.unknownCollection, 20, "UNKNOWN_COLLECTION"),
            (.collectionExists, 21, "COLLECTION_EXISTS"), (.wrongDimension, 22, "WRONG_DIMENSION"),
            (.invalidVector, 23, "INVALID_VECTOR"), (.invalidArgument, 24, "INVALID_ARGUMENT"),
            (.unknownID, 25, "UNKNOWN_ID"), (.resourceExhausted, 26, "RESOURCE_EXHAUSTED"),
            (.storageFailure, 27, "STORAGE_FAILURE"), (.internal, 100, "INTERNAL"),
        ]
        for (code, raw, name) in table {
            XCTAssertEqual(code.rawValue, raw)
            XCTAssertEqual(code.name, name)
            XCTAssertEqual(code.closesConnection, raw <= 2)
        }
        XCTAssertEqual(ErrorCode(rawValue: 4242).name, "code 4242")
    }

    func testKindNumbersMatchTheTable() {
        let table: [(MessageKind, UInt8)] = [
            (.hello, 0x01), (.ping, 0x02), (.createCollection, 0x10), (.dropCollection, 0x11), (.listCollections, 0x12),
            (.upsert, 0x20), (.delete, 0x21), (.get, 0x22), (.search, 0x30), (.rank, 0x31), (.feedback, 0x32),
            (.snapshot, 0x40), (.stats, 0x41),
        ]
        for (kind, raw) in table { XCTAssertEqual(kind.rawValue, raw, kind.name) }
    }
}

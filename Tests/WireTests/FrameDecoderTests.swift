import Primitives
@testable import Wire
import XCTest

/// `FrameDecoder` and `FrameHeader` against docs/PROTOCOL.md §2–3.
final class FrameDecoderTests: XCTestCase {
    private func header(length: UInt32, kind: UInt8 = 0x02, flags: UInt8 = 0, reserved: UInt16 = 0, id: UInt32 = 1) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(length)
        writer.write(kind)
        writer.write(flags)
        writer.write(reserved)
        writer.write(id)
        return writer.bytes
    }

    private func expectError(_ code: ErrorCode, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? WireError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    func testHeaderLayoutIsLittleEndianAndLengthCountsPayloadOnly() throws {
        let bytes = PingRequest(payload: [9, 8, 7]).frame(requestID: 0x0102_0304)
        XCTAssertEqual(bytes, [3, 0, 0, 0, 0x02, 0, 0, 0, 4, 3, 2, 1, 9, 8, 7])
        let reply = PingResponse(payload: []).frame(requestID: 5, flags: .response)
        XCTAssertEqual(reply, [0, 0, 0, 0, 0x02, 0x01, 0, 0, 5, 0, 0, 0])
    }

    func testWorkedExampleOfTheSpecDecodes() throws {
        let hello: [UInt8] = [0x0c, 0, 0, 0, 0x01, 0, 0, 0, 1, 0, 0, 0, 0x4c, 0x44, 0x53, 0x4b, 1, 0, 0, 0, 2, 0, 0x70, 0x79]
        // The spec's example greets as a 1.0 client.
        XCTAssertEqual(HelloRequest(minor: 0, clientName: "py").frame(requestID: 1), hello)
        var decoder = FrameDecoder()
        decoder.append(hello)
        guard case .frame(let frame) = try decoder.next() else { return XCTFail("no frame") }
        XCTAssertEqual(try Request.decode(kind: frame.header.kind, payload: frame.payload), .hello(HelloRequest(minor: 0, clientName: "py")))
    }

    func testNeedMoreBytesUntilHeaderThenUntilPayload() throws {
        var decoder = FrameDecoder()
        XCTAssertEqual(try decoder.next(), .needMoreBytes(12))
        let frame = PingRequest(payload: [1, 2, 3, 4, 5]).frame(requestID: 9)
        decoder.append(Array(frame[0..<5]))
        XCTAssertEqual(try decoder.next(), .needMoreBytes(7))
        decoder.append(Array(frame[5..<14]))
        XCTAssertEqual(try decoder.next(), .needMoreBytes(3))
        decoder.append(Array(frame[14...]))
        guard case .frame(let decoded) = try decoder.next() else { return XCTFail("no frame") }
        XCTAssertEqual(decoded.header, FrameHeader(payloadLength: 5, kind: .ping, flags: [], requestID: 9))
        XCTAssertEqual(decoded.payload, [1, 2, 3, 4, 5])
        XCTAssertEqual(try decoder.next(), .needMoreBytes(12))
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    func testByteByByteDecodingYieldsTheSameFramesAsWholeBuffer() throws {
        let stream = Samples.requests.enumerated().flatMap { $1.frame(requestID: UInt32($0 + 1)) }
            + Samples.responses.enumerated().flatMap { $1.frame(requestID: UInt32($0 + 100)) }
        var whole = FrameDecoder()
        whole.append(stream)
        var expected: [Frame] = []
        while case .frame(let frame) = try whole.next() { expected.append(frame) }
        XCTAssertEqual(expected.count, Samples.requests.count + Samples.responses.count)

        for chunk in [1, 2, 3, 7, 13, 64, 1000] {
            var decoder = FrameDecoder(initialCapacity: 16)
            var frames: [Frame] = []
            var index = 0
            while index < stream.count {
                let end = min(index + chunk, stream.count)
                decoder.append(Array(stream[index..<end]))
                index = end
                while case .frame(let frame) = try decoder.next() { frames.append(frame) }
            }
            XCTAssertEqual(frames, expected, "chunk size \(chunk)")
        }
    }

    func testReceiveWritesStraightIntoTheBufferAndOffersWhatTheFrameNeeds() throws {
        let frame = PingRequest(payload: [UInt8](repeating: 7, count: 100_000)).frame(requestID: 3)
        var decoder = FrameDecoder(initialCapacity: 64)
        var offset = 0
        var offered: [Int] = []
        while offset < frame.count {
            _ = decoder.receive(minimumSpace: 16) { buffer in
                offered.append(buffer.count)
                let n = min(buffer.count, frame.count - offset)
                frame[offset..<(offset + n)].withUnsafeBytes { buffer.copyMemory(from: $0) }
                offset += n
                return n
            }
        }
        XCTAssertGreaterThanOrEqual(offered[1], 100_000, "after the header, the whole payload fits one read")
        guard case .frame(let decoded) = try decoder.next() else { return XCTFail("no frame") }
        XCTAssertEqual(decoded.payload.count, 100_000)
    }

    func testTruncatedHeaderIsNeedMoreBytesNotAnError() throws {
        for n in 0..<12 {
            var decoder = FrameDecoder()
            decoder.append(Array(header(length: 0)[0..<n]))
            XCTAssertEqual(try decoder.next(), .needMoreBytes(12 - n))
        }
    }

    func testLengthOverCapIsRefusedFromTheHeaderAlone() throws {
        var decoder = FrameDecoder(maxPayloadLength: 1024, initialCapacity: 64)
        decoder.append(header(length: 1025, kind: 0x20))
        expectError(.frameTooLarge) { _ = try decoder.next() }
        // The decoder stays failed: the stream cannot be resynchronised.
        decoder.append(PingRequest().frame(requestID: 2))
        expectError(.frameTooLarge) { _ = try decoder.next() }
        // And it did not grow its buffer to the announced size.
        var huge = FrameDecoder(initialCapacity: 64)
        huge.append(header(length: UInt32.max))
        XCTAssertThrowsError(try huge.next())
        var offered = 0
        _ = huge.receive(minimumSpace: 1) { offered = $0.count; return 0 }
        XCTAssertLessThan(offered, 1 << 20)
        // Exactly the cap is fine.
        var exact = FrameDecoder(maxPayloadLength: 1024)
        exact.append(header(length: 1024))
        XCTAssertEqual(try exact.next(), .needMoreBytes(1024))
    }

    func testDefaultCapIs64MiB() throws {
        var decoder = FrameDecoder()
        decoder.append(header(length: 64 << 20))
        XCTAssertEqual(try decoder.next(), .needMoreBytes(64 << 20))
        var over = FrameDecoder()
        over.append(header(length: (64 << 20) + 1))
        expectError(.frameTooLarge) { _ = try over.next() }
    }

    func testReservedFieldAndUnknownFlagsAreMalformedFrames() {
        var reserved = FrameDecoder()
        reserved.append(header(length: 0, reserved: 1))
        expectError(.malformedFrame) { _ = try reserved.next() }
        var flags = FrameDecoder()
        flags.append(header(length: 0, flags: 0x04))
        expectError(.malformedFrame) { _ = try flags.next() }
    }

    func testDirectionRules() throws {
        let request = FrameHeader(payloadLength: 0, kind: .ping, flags: [], requestID: 1)
        XCTAssertNoThrow(try request.validateAsRequest())
        expectError(.malformedFrame) { try FrameHeader(payloadLength: 0, kind: .ping, flags: .response, requestID: 1).validateAsRequest() }
        expectError(.malformedFrame) { try FrameHeader(payloadLength: 0, kind: .ping, flags: [], requestID: 0).validateAsRequest() }
        expectError(.malformedFrame) { try request.validateAsResponse() }
        XCTAssertNoThrow(try FrameHeader(payloadLength: 0, kind: .notice, flags: [.response, .error], requestID: 0).validateAsResponse())
        expectError(.malformedFrame) { try FrameHeader(payloadLength: 0, kind: .ping, flags: .response, requestID: 0).validateAsResponse() }
    }

    func testUnknownKindStillFramesSoTheStreamStaysInStep() throws {
        var decoder = FrameDecoder()
        decoder.append(header(length: 3, kind: 0x7E) + [1, 2, 3] + PingRequest().frame(requestID: 2))
        guard case .frame(let unknown) = try decoder.next() else { return XCTFail("no frame") }
        XCTAssertEqual(unknown.header.kind, MessageKind(rawValue: 0x7E))
        expectError(.unknownKind) { _ = try Request.decode(kind: unknown.header.kind, payload: unknown.payload) }
        guard case .frame(let ping) = try decoder.next() else { return XCTFail("lost step after unknown kind") }
        XCTAssertEqual(ping.header.requestID, 2)
    }

    func testWithNextFrameConsumesTheFrameEvenWhenTheBodyThrows() throws {
        var decoder = FrameDecoder()
        decoder.append(SearchRequest(collection: "kb", query: [1], k: 0).frame(requestID: 1) + PingRequest().frame(requestID: 2))
        XCTAssertThrowsError(try decoder.withNextFrame { (header, payload) throws(WireError) in
            try Request.decode(kind: header.kind, payload: payload)
        }) { XCTAssertEqual(($0 as? WireError)?.code, .invalidArgument) }
        let next = try decoder.withNextFrame { (header, _) throws(WireError) in header.requestID }
        XCTAssertEqual(next, 2)
    }
}

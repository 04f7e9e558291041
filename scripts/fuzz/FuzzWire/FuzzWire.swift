// libFuzzer target for Wire's decoders. Built by scripts/fuzz-wire.sh
// (`LOOPDESK_FUZZ=1 swift build --sanitize=fuzzer --sanitize=address`), never
// in CI. Properties checked on every input, besides "never crashes, never
// reads out of bounds, never allocates more than the input justifies":
//
// 1. Stream decoding is independent of how bytes arrive: the input decoded
//    whole and decoded in chunks (sizes taken from the input) yield the same
//    frames and end the same way.
// 2. Any payload that decodes re-encodes to exactly the same bytes: the
//    encoding is canonical, so nothing is lost or invented by a round trip.
// 3. The payload decoders are also driven directly (first byte = kind, the
//    rest = payload), to reach deep layouts without valid headers.

import Primitives
@testable import Wire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limit: UInt32 = 1 << 20

    // 1. Whole versus chunked.
    var whole = FrameDecoder(maxPayloadLength: limit, initialCapacity: 64)
    whole.append(input)
    let expected = drain(&whole)
    var chunked = FrameDecoder(maxPayloadLength: limit, initialCapacity: 16)
    var chunks: [[UInt8]] = []
    var offset = 0
    var step = 1
    while offset < size {
        let n = min(step, size - offset)
        chunked.append(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + n)]))
        offset += n
        step = Int(input[offset - 1] % 17) + 1
        chunks.append(contentsOf: drain(&chunked).frames.map(\.payload))
    }
    let tail = drain(&chunked)
    chunks.append(contentsOf: tail.frames.map(\.payload))
    precondition(chunks == expected.frames.map(\.payload), "chunked decoding differs from whole decoding")
    precondition(tail.error?.code == expected.error?.code, "chunked decoding ends differently")

    // 2. Every frame's payload, through every decoder that applies.
    for frame in expected.frames {
        exercise(kind: frame.header.kind, payload: frame.payload)
    }
    // 3. Direct payload decoding.
    if size > 0 {
        exercise(kind: MessageKind(rawValue: input[0]), payload: Array(input[1...]))
    }
    return 0
}

private func drain(_ decoder: inout FrameDecoder) -> (frames: [Frame], error: WireError?) {
    var frames: [Frame] = []
    do throws(WireError) {
        while case .frame(let frame) = try decoder.next() { frames.append(frame) }
    } catch {
        return (frames, error)
    }
    return (frames, nil)
}

private func exercise(kind: MessageKind, payload: [UInt8]) {
    if let request = try? Request.decode(kind: kind, payload: payload) {
        precondition(try! request.message.payloadBytes == payload, "\(kind) request re-encodes differently")
        precondition(request.kind == kind)
    }
    if let response = try? Response.decode(kind: kind, payload: payload) {
        precondition(try! response.message.payloadBytes == payload, "\(kind) reply re-encodes differently")
    }
    if let error = try? ErrorPayload.decode(payload) {
        var writer = ByteWriter()
        ErrorPayload.encode(error, into: &writer)
        precondition(writer.bytes == payload, "error payload re-encodes differently")
    }
}

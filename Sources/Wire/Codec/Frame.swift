import Primitives

/// The `flags` byte of a frame header (`docs/PROTOCOL.md` §3.1).
public struct FrameFlags: OptionSet, Hashable, Sendable {
    /// The header's `u8 flags` byte; bits 2–7 are reserved and must be 0.
    public var rawValue: UInt8
    /// Wraps any flags byte, including reserved bits: ``FrameHeader/decode(from:maxPayloadLength:)``
    /// rejects those, so the value can be read before it is judged.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Set on every frame the server sends.
    public static let response = FrameFlags(rawValue: 0x01)
    /// Set with ``response`` when the payload is an ``ErrorPayload``.
    public static let error = FrameFlags(rawValue: 0x02)
    /// Every bit the protocol defines; the others must be 0.
    public static let known: FrameFlags = [.response, .error]
}

/// The 12-byte header in front of every frame:
/// `u32 length | u8 kind | u8 flags | u16 reserved | u32 request id`, little-endian.
public struct FrameHeader: Hashable, Sendable {
    /// Payload bytes that follow the header (the header itself is not counted).
    public var payloadLength: UInt32
    /// The header's `u8 kind`: which message the payload holds (§6), or ``MessageKind/notice``
    /// on a connection notice. Any byte is representable, so an unassigned kind still parses.
    public var kind: MessageKind
    /// The header's `u8 flags`: empty on a request, ``FrameFlags/response`` (and
    /// ``FrameFlags/error`` for an ``ErrorPayload``) on everything the server sends.
    public var flags: FrameFlags
    /// Chosen by the client, echoed by the server; 0 only on connection notices.
    public var requestID: UInt32

    /// Creates a header from its four fields; nothing is checked until it is
    /// encoded and decoded again (see ``validateAsRequest()`` and ``validateAsResponse()``).
    public init(payloadLength: UInt32, kind: MessageKind, flags: FrameFlags, requestID: UInt32) {
        self.payloadLength = payloadLength
        self.kind = kind
        self.flags = flags
        self.requestID = requestID
    }

    /// Whether the payload is an error payload.
    @inlinable public var isError: Bool { flags.contains(.error) }

    /// Writes the 12 header bytes.
    public func encode(into writer: inout ByteWriter) {
        writer.write(payloadLength)
        writer.write(kind.rawValue)
        writer.write(flags.rawValue)
        writer.write(UInt16(0))
        writer.write(requestID)
    }

    /// Parses a header from the first 12 bytes of `bytes`.
    ///
    /// Only the header rules that hold in both directions are checked here
    /// (reserved field 0, no unknown flag bits, payload within `maxPayloadLength`),
    /// so the length is known to be trustworthy before anything is allocated.
    /// Direction-specific rules are in ``validateAsRequest()`` and ``validateAsResponse()``.
    /// - Parameters:
    ///   - bytes: received bytes, possibly fewer than a header.
    ///   - maxPayloadLength: the largest payload this peer accepts.
    /// - Returns: the header, or `nil` when fewer than 12 bytes are available.
    /// - Throws: ``ErrorCode/malformedFrame`` or ``ErrorCode/frameTooLarge``.
    public static func decode(from bytes: UnsafeRawBufferPointer,
                              maxPayloadLength: UInt32 = WireProtocol.maxPayloadLength) throws(WireError) -> FrameHeader? {
        guard bytes.count >= WireProtocol.headerLength else { return nil }
        let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let kind = MessageKind(rawValue: bytes[4])
        let flags = FrameFlags(rawValue: bytes[5])
        let reserved = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        let requestID = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard reserved == 0 else {
            throw WireError(.malformedFrame, "frame header reserved field is \(reserved), must be 0 (stream out of step?)")
        }
        guard flags.isSubset(of: .known) else {
            throw WireError(.malformedFrame, "frame header has unknown flag bits 0x\(String(flags.rawValue, radix: 16)) set")
        }
        guard length <= maxPayloadLength else {
            throw WireError(.frameTooLarge,
                            "\(kind.name) frame announces a \(length)-byte payload; the limit is \(maxPayloadLength) bytes")
        }
        return FrameHeader(payloadLength: length, kind: kind, flags: flags, requestID: requestID)
    }

    /// Checks the rules for a frame sent by a client: no flag set and a non-zero request id.
    /// - Throws: ``ErrorCode/malformedFrame``.
    public func validateAsRequest() throws(WireError) {
        guard flags.isEmpty else {
            throw WireError(.malformedFrame, "request frames must have flags 0, got 0x\(String(flags.rawValue, radix: 16))")
        }
        guard requestID != 0 else {
            throw WireError(.malformedFrame, "request id 0 is reserved for connection notices; use ids from 1")
        }
    }

    /// Checks the rules for a frame sent by a server: ``FrameFlags/response`` set,
    /// and request id 0 only on an error notice.
    /// - Throws: ``ErrorCode/malformedFrame``.
    public func validateAsResponse() throws(WireError) {
        guard flags.contains(.response) else {
            throw WireError(.malformedFrame, "server frame for request \(requestID) lacks the RESPONSE flag")
        }
        if requestID == 0 && !(flags.contains(.error) && kind == .notice) {
            throw WireError(.malformedFrame, "server frame with request id 0 must be an error notice of kind 0")
        }
    }
}

/// A whole frame: its header and an owned copy of its payload.
///
/// Convenient for tests and for code that keeps frames around; hot paths use
/// ``FrameDecoder/withNextFrame(_:)`` to decode messages straight from the
/// receive buffer instead.
public struct Frame: Hashable, Sendable {
    /// The frame's header; its ``FrameHeader/payloadLength`` equals `payload.count`
    /// when the frame came from ``FrameDecoder``.
    public var header: FrameHeader
    /// The payload bytes that followed the header (`length` of them), not yet
    /// decoded into a message.
    public var payload: [UInt8]

    /// Pairs a header with its payload; `header.payloadLength` is not checked against `payload.count`.
    public init(header: FrameHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// Encodes a whole frame: header, then the payload written by `body`;
    /// the length field is patched once the payload is known.
    /// - Parameters:
    ///   - kind: the message kind.
    ///   - flags: ``FrameFlags/response`` (and ``FrameFlags/error``) on server frames, empty on requests.
    ///   - requestID: the request id.
    ///   - capacity: bytes to reserve for the payload.
    ///   - body: writes the payload.
    /// - Returns: the frame's bytes, ready to send.
    public static func encode(kind: MessageKind, flags: FrameFlags = [], requestID: UInt32, capacity: Int = 64,
                              _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = ByteWriter(capacity: WireProtocol.headerLength + capacity)
        FrameHeader(payloadLength: 0, kind: kind, flags: flags, requestID: requestID).encode(into: &writer)
        body(&writer)
        let payloadLength = writer.count - WireProtocol.headerLength
        precondition(payloadLength <= Int(UInt32.max), "payload of \(payloadLength) bytes cannot be framed")
        writer.patch(UInt32(payloadLength), at: 0)
        return writer.bytes
    }
}

import Primitives

/// A message payload with a fixed kind: encodes itself and decodes from a
/// payload (`docs/PROTOCOL.md` §7).
public protocol WireMessage: Sendable, Equatable {
    /// The frame kind that carries this payload.
    static var kind: MessageKind { get }
    /// Writes the payload (not the header).
    func encode(into writer: inout ByteWriter)
    /// Reads the payload's fields from `reader`; ``WireMessage/decode(payload:)``
    /// then checks that nothing is left over.
    /// - Throws: ``ErrorCode/malformedPayload`` when the bytes break the layout.
    init(reading reader: inout ByteReader<WireError>) throws(WireError)
    /// A guess of the encoded payload size, to reserve the buffer once.
    var encodedSizeHint: Int { get }
}

/// A request: a message that a client sends and whose reply has a known type.
public protocol WireRequest: WireMessage {
    /// The payload of a successful reply.
    associatedtype Response: WireMessage
    /// Checks the ranges of `docs/PROTOCOL.md` that need no server state
    /// (names, tags, dimensions, k and ef, empty batches, duplicate ids).
    /// Clients call it before sending; ``Request/decode(header:payload:)`` calls it after decoding.
    /// - Throws: ``ErrorCode/invalidArgument`` naming the field and the value.
    func validate() throws(WireError)
}

extension WireMessage {
    /// Default: 64 bytes, enough for the small fixed-layout messages; messages
    /// carrying vectors or lists override it.
    public var encodedSizeHint: Int { 64 }

    /// Decodes a whole payload of this message.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated, has
    ///   trailing bytes or otherwise breaks the layout.
    public static func decode(payload: UnsafeRawBufferPointer) throws(WireError) -> Self {
        var reader = ByteReader<WireError>(payload, context: kind.name)
        let message = try Self(reading: &reader)
        try reader.expectEnd()
        return message
    }

    /// Decodes a whole payload of this message from an array (tests, tools).
    public static func decode(payload: [UInt8]) throws(WireError) -> Self {
        try withPayload(payload) { (bytes) throws(WireError) -> Self in try decode(payload: bytes) }
    }

    /// The payload bytes alone.
    public var payloadBytes: [UInt8] {
        var writer = ByteWriter(capacity: encodedSizeHint)
        encode(into: &writer)
        return writer.bytes
    }

    /// Encodes this message as a whole frame.
    /// - Parameters:
    ///   - requestID: the request id (non-zero).
    ///   - flags: empty for a request, ``FrameFlags/response`` for a reply.
    public func frame(requestID: UInt32, flags: FrameFlags = []) -> [UInt8] {
        Frame.encode(kind: Self.kind, flags: flags, requestID: requestID, capacity: encodedSizeHint) { encode(into: &$0) }
    }
}

extension WireRequest {
    /// Default: nothing to check, for requests whose every encodable value is in
    /// range (`PING`, `LIST_COLLECTIONS`).
    public func validate() throws(WireError) {}
}

import Primitives

/// A message payload with a fixed kind: encodes itself and decodes from a
/// payload (`docs/PROTOCOL.md` §7).
public protocol WireMessage: Sendable, Equatable {
    /// The frame kind that carries this payload.
    static var kind: MessageKind { get }
    /// Writes the payload (not the header).
    /// - Throws: ``ErrorCode/invalidArgument`` when the message cannot be laid
    ///   out (a `str` over 65 535 bytes, parallel arrays of different lengths):
    ///   the frame is then not built, rather than the process stopping.
    func encode(into writer: inout ByteWriter) throws(WireError)
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
    /// - Throws: what ``encode(into:)`` throws.
    public var payloadBytes: [UInt8] {
        get throws(WireError) {
            var writer = ByteWriter(capacity: encodedSizeHint)
            try encode(into: &writer)
            return writer.bytes
        }
    }

    /// Encodes this message as a whole frame.
    /// - Parameters:
    ///   - requestID: the request id (non-zero).
    ///   - flags: empty for a request, ``FrameFlags/response`` for a reply.
    ///   - maxPayloadLength: the largest payload allowed (see ``Frame/encode(kind:flags:requestID:capacity:maxPayloadLength:_:)``).
    /// - Throws: ``ErrorCode/frameTooLarge`` above `maxPayloadLength`, or what ``encode(into:)`` throws.
    public func frame(requestID: UInt32, flags: FrameFlags = [], maxPayloadLength: Int = Int(UInt32.max)) throws(WireError) -> [UInt8] {
        try Frame.encode(kind: Self.kind, flags: flags, requestID: requestID, capacity: encodedSizeHint,
                         maxPayloadLength: maxPayloadLength) { (writer) throws(WireError) in try encode(into: &writer) }
    }
}

extension WireRequest {
    /// Default: nothing to check, for requests whose every encodable value is in
    /// range (`PING`, `LIST_COLLECTIONS`).
    public func validate() throws(WireError) {}
}

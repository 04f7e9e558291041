import Primitives

/// The payload of an error frame (`docs/PROTOCOL.md` §8.1): `u16 code, str message`.
///
/// An error frame has flags `RESPONSE | ERROR` and the kind and request id of
/// the request it answers, or kind 0 and request id 0 for a connection notice.
public enum ErrorPayload {
    /// Encodes `error` as a whole error frame.
    ///
    /// A message longer than a `str` can hold is cut at a UTF-8 boundary.
    /// - Parameters:
    ///   - error: the code and message.
    ///   - kind: the kind of the request answered (``MessageKind/notice`` for a notice).
    ///   - requestID: its request id (0 for a notice).
    public static func frame(_ error: WireError, kind: MessageKind, requestID: UInt32) -> [UInt8] {
        Frame.encode(kind: kind, flags: [.response, .error], requestID: requestID,
                     capacity: 4 + error.message.utf8.count) { encode(error, into: &$0) }
    }

    /// Writes the error payload.
    public static func encode(_ error: WireError, into writer: inout ByteWriter) {
        writer.write(error.code.rawValue)
        var message = error.message
        if message.utf8.count > Int(UInt16.max) {
            // Repairing a cut scalar adds at most one 3-byte U+FFFD for the ≤ 3 bytes dropped.
            message = String(decoding: message.utf8.prefix(Int(UInt16.max) - 3), as: UTF8.self)
        }
        writer.write(string: message)
    }

    /// Decodes an error payload.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is not `u16, str`.
    public static func decode(_ payload: UnsafeRawBufferPointer) throws(WireError) -> WireError {
        var reader = ByteReader<WireError>(payload, context: "ERROR")
        let code = ErrorCode(rawValue: try reader.read(UInt16.self, "code"))
        let message = try reader.readString("message")
        try reader.expectEnd()
        return WireError(code, message)
    }

    /// Decodes an error payload from an array (tests, tools).
    public static func decode(_ payload: [UInt8]) throws(WireError) -> WireError {
        try withPayload(payload) { (bytes) throws(WireError) -> WireError in try decode(bytes) }
    }
}

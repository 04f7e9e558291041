import Primitives

extension WireError: ByteReadFailure {
    /// The ``ErrorCode/malformedPayload`` error for bytes that break a message's
    /// layout (`docs/PROTOCOL.md` §4): the message, the field, the offset and
    /// what was wrong, so a client can find the broken byte.
    public init(_ error: ByteReadError) {
        let context = error.context, field = error.field, offset = error.offset, remaining = error.remaining
        let message = switch error.problem {
        case let .truncated(needed):
            "\(context) payload truncated: \(field) needs \(needed) bytes at offset \(offset), \(remaining) left"
        case let .arrayTruncated(count, stride):
            "\(context) payload truncated: \(field) needs \(count) × \(stride) bytes at offset \(offset), \(remaining) left"
        case let .countTooLarge(count, size):
            "\(context) \(field): \(count) items of at least \(size) bytes cannot fit the \(remaining) bytes left at offset \(offset)"
        case let .invalidUTF8(length):
            "\(context) \(field) is not valid UTF-8 (\(length) bytes at offset \(offset))"
        case let .invalidValue(value):
            "\(context) \(field) \(value) at offset \(offset) is not a valid value"
        case .trailingBytes:
            "\(context) payload has \(remaining) unexpected trailing bytes after offset \(offset)"
        }
        self.init(.malformedPayload, message)
    }
}

/// Runs `body` over an array's bytes, keeping the typed error that the
/// standard library's `rethrows` `withUnsafeBytes` would widen to `any Error`.
@inline(__always)
func withPayload<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
    let result: Result<R, WireError> = bytes.withUnsafeBytes { raw in
        do throws(WireError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

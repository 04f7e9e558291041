import Primitives

extension PersistenceError: ByteReadFailure {
    /// The ``corrupt(path:offset:reason:)`` error for a log record or snapshot
    /// section whose fields break its layout: the reader's context is the file,
    /// its origin the section's (or record's) offset in it.
    public init(_ error: ByteReadError) {
        let field = error.field, remaining = error.remaining
        let reason = switch error.problem {
        case .truncated, .arrayTruncated:
            "\(field) runs past the end of its section (needs \(error.needed ?? 0) bytes, \(remaining) left)"
        case let .countTooLarge(count, _):
            "\(field) \(count) cannot fit the \(remaining) bytes left in its section"
        case .invalidUTF8:
            "\(field) is not valid UTF-8"
        case let .invalidValue(value):
            "\(field) \(value) is not a valid value"
        case .trailingBytes:
            "\(remaining) unexpected bytes after the last field"
        }
        self = .corrupt(path: error.context, offset: error.offset, reason: reason)
    }
}

/// Runs `body` with a reader over `bytes`, a log record's payload or a
/// snapshot section that starts at `origin` in the file at `path`; its
/// errors are ``PersistenceError/corrupt(path:offset:reason:)`` naming both.
func withRecordReader<T>(_ bytes: [UInt8], path: String, origin: Int,
                         _ body: (inout ByteReader<PersistenceError>) throws -> T) throws -> T {
    try bytes.withUnsafeBytes { raw in
        var reader = ByteReader<PersistenceError>(raw, context: path, origin: origin)
        return try body(&reader)
    }
}

/// What a ``ByteReader`` found wrong, with everything needed to say so: what
/// was being read, which field, where, and how many bytes were left.
///
/// Each format's module turns it into its own error (``ByteReadFailure``): the
/// wire protocol into a `MALFORMED_PAYLOAD` message, the ranker into
/// `RankingDecodingError`, the index into `PersistenceError.corrupt`.
public struct ByteReadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of damage.
    public enum Problem: Hashable, Sendable {
        /// The field needs `needed` bytes and fewer remain (or `needed` is negative).
        case truncated(needed: Int)
        /// An array of `count` elements of `stride` bytes does not fit what remains
        /// (or the count is negative, or the product overflows).
        case arrayTruncated(count: Int, stride: Int)
        /// A count read from the input promises more items of at least
        /// `minimumItemSize` bytes than the remaining bytes could hold.
        case countTooLarge(count: Int, minimumItemSize: Int)
        /// A string's `length` bytes are not valid UTF-8.
        case invalidUTF8(length: Int)
        /// The field holds a value no encoder writes (e.g. a boolean byte of 2).
        case invalidValue(String)
        /// Bytes remain after the last field.
        case trailingBytes
    }

    /// What was being read, as the reader was told (a message name, a file path).
    public var context: String
    /// The field, as the decoder named it (`"count"`, `"state.dimension"`).
    public var field: String
    /// Where the field starts, counted from the reader's origin (for
    /// ``Problem/trailingBytes``: where the unread bytes start).
    public var offset: Int
    /// Bytes left unread at `offset`… or, for a count, after it.
    public var remaining: Int
    /// What is wrong.
    public var problem: Problem

    /// Describes the problem as the package's own tests and tools print it.
    public init(context: String, field: String, offset: Int, remaining: Int, problem: Problem) {
        self.context = context
        self.field = field
        self.offset = offset
        self.remaining = remaining
        self.problem = problem
    }

    /// The bytes the field needed, when the problem is a shortfall.
    public var needed: Int? {
        switch problem {
        case let .truncated(needed): needed
        case let .arrayTruncated(count, stride): count.multipliedReportingOverflow(by: stride).partialValue
        case let .countTooLarge(count, size): count.multipliedReportingOverflow(by: max(size, 1)).partialValue
        case .invalidUTF8, .invalidValue, .trailingBytes: nil
        }
    }

    /// One line naming the context, the field, the offset and the problem.
    public var description: String {
        switch problem {
        case let .truncated(needed):
            "\(context): \(field) needs \(needed) bytes at offset \(offset), \(remaining) left"
        case let .arrayTruncated(count, stride):
            "\(context): \(field) needs \(count) × \(stride) bytes at offset \(offset), \(remaining) left"
        case let .countTooLarge(count, size):
            "\(context): \(field) = \(count) at offset \(offset), but items of at least \(size) bytes cannot fit the \(remaining) bytes left"
        case let .invalidUTF8(length):
            "\(context): \(field) is not valid UTF-8 (\(length) bytes at offset \(offset))"
        case let .invalidValue(value):
            "\(context): \(field) = \(value) at offset \(offset) is not a valid value"
        case .trailingBytes:
            "\(context): \(remaining) unexpected trailing bytes after offset \(offset)"
        }
    }
}

/// An error type a ``ByteReader`` throws: the module that owns a format says
/// how a ``ByteReadError`` reads in its own terms, once, and its decoders
/// then throw their own error type directly.
public protocol ByteReadFailure: Error {
    /// The module's error for `error`.
    init(_ error: ByteReadError)
}

extension ByteReadError: ByteReadFailure {
    /// `error` itself: for readers whose callers want the description as is.
    public init(_ error: ByteReadError) { self = error }
}

import Primitives

// The ranker's state and log records are written with `ByteWriter` and read
// with `ByteReader<RankingDecodingError>` (module Primitives).
//
// The encodings are ours and versioned (see docs/RANKING.md, "State encoding"):
// every multi-byte value is little-endian, floats are their IEEE-754 bit
// patterns, so the bytes are the same on every machine and a replay can be
// compared bit for bit.

/// Why bytes given to ``Ranker/init(decoding:journal:)``, ``FeedbackRecord/init(decoding:)``
/// or ``RankingLogRecord/init(decoding:)`` could not be read.
public enum RankingDecodingError: Error, Equatable, CustomStringConvertible {
    /// The input ended inside `field`: `needed` bytes at `offset`, only `available` left.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// The first four bytes are not the expected magic.
    case badMagic(expected: String, found: [UInt8])
    /// The encoding's version is one this build cannot read.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// A field holds a value that no encoder writes (e.g. an unknown outcome tag).
    case invalidValue(field: String, value: String, offset: Int)
    /// Bytes remain after a complete value.
    case trailingBytes(count: Int)

    /// One line saying what could not be read (with the field and offset where
    /// the case has them), for logs and error messages.
    public var description: String {
        switch self {
        case let .truncated(field, offset, needed, available):
            return "truncated ranking data: \(field) needs \(needed) bytes at offset \(offset), \(available) left"
        case let .badMagic(expected, found):
            return "not ranking data: expected magic \(expected), found \(found)"
        case let .unsupportedVersion(found, supported):
            return "ranking data version \(found) is not supported (this build reads version \(supported))"
        case let .invalidValue(field, value, offset):
            return "invalid ranking data: \(field) = \(value) at offset \(offset)"
        case let .trailingBytes(count):
            return "invalid ranking data: \(count) bytes after the end of the value"
        }
    }
}

extension RankingDecodingError: ByteReadFailure {
    /// The ranking error for what the reader found: a shortfall is
    /// ``truncated(field:offset:needed:available:)``, a forged count or a bad
    /// byte ``invalidValue(field:value:offset:)``, leftovers ``trailingBytes(count:)``.
    public init(_ error: ByteReadError) {
        let field = error.field, offset = error.offset, remaining = error.remaining
        switch error.problem {
        case let .truncated(needed):
            self = .truncated(field: field, offset: offset, needed: needed, available: remaining)
        case .arrayTruncated:
            self = .truncated(field: field, offset: offset, needed: error.needed ?? 0, available: remaining)
        case let .countTooLarge(count, _):
            self = .invalidValue(field: field, value: "\(count) (only \(remaining) bytes left)", offset: offset)
        case let .invalidUTF8(length):
            self = .invalidValue(field: field, value: "\(length) bytes that are not UTF-8", offset: offset)
        case let .invalidValue(value):
            self = .invalidValue(field: field, value: value, offset: offset)
        case .trailingBytes:
            self = .trailingBytes(count: remaining)
        }
    }
}

import Foundation
import Primitives

/// One entry of a question's account context (`page` = `/billing`), reduced to
/// two stable 64-bit hashes: of its key, and of the key with its value.
///
/// What the service learns about context is kept in this form only — on each
/// answer and each alias — so a context value that is private (an e-mail, an
/// account number) never becomes readable knowledge, and comparing contexts is
/// integer equality. The hashes are FNV-1a (``FNV1a``) of `"\u{1E}" + key` and
/// `key + "\u{1F}" + value`, distinct by construction however the key is spelt.
public struct ContextHash: Hashable, Sendable {
    /// The hash of the entry's key alone: which entries are alternatives of one another.
    public var key: UInt64
    /// The hash of key and value together.
    public var tag: UInt64

    /// The hashes of one entry.
    public init(key: String, value: String) {
        self.key = FNV1a.hash("\u{1E}" + key)
        tag = FNV1a.hash(key + "\u{1F}" + value)
    }

    /// Hashes as stored.
    public init(key: UInt64, tag: UInt64) {
        self.key = key
        self.tag = tag
    }

    /// A request's context, hashed, in key order (empty values are kept: "no plan" is a value too).
    public static func of(_ context: [String: String]) -> [ContextHash] {
        context.sorted { $0.key < $1.key }.map { ContextHash(key: $0.key, value: $0.value) }
    }

    /// Bytes per entry in ``encode(_:)``.
    static let encodedSize = 16

    /// The store's form: 16 bytes per entry, key then tag, little-endian.
    public static func encode(_ entries: [ContextHash]) -> Data {
        var data = Data(capacity: entries.count * encodedSize)
        for entry in entries {
            withUnsafeBytes(of: entry.key.littleEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: entry.tag.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Reads ``encode(_:)``'s form.
    /// - Throws: ``ContextHashDecodingError`` when the length is not a multiple of 16.
    public static func decode(_ data: Data) throws -> [ContextHash] {
        guard data.count % encodedSize == 0 else { throw ContextHashDecodingError(byteCount: data.count) }
        let bytes = [UInt8](data)
        func word(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            return v
        }
        return stride(from: 0, to: bytes.count, by: encodedSize).map { ContextHash(key: word($0), tag: word($0 + 8)) }
    }
}

/// A stored context column whose length is not a whole number of entries.
public struct ContextHashDecodingError: Error, CustomStringConvertible {
    /// The column's length.
    public var byteCount: Int
    public var description: String { "a stored context of \(byteCount) bytes is not a whole number of 16-byte entries" }
}

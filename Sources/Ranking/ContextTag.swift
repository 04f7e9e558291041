import Primitives

/// A context tag (`plan:trial`, `page:/billing`, `topic:refunds`) reduced to
/// what matching needs: a 64-bit hash of the whole tag and the bucket of its
/// family (the part before the first `:`).
///
/// Tags are hashed once — by the caller when it stores a group's tags, and
/// once per request for the query's — so matching a hundred candidates is a
/// few hundred integer compares. The hash is FNV-1a, stable across processes
/// and machines (Swift's `Hasher` is seeded per process and would not be).
public struct ContextTag: Hashable, Sendable, CustomStringConvertible {
    /// Number of family buckets, one feature each (`context_family_0…7`).
    public static let familyBuckets = 8

    /// FNV-1a 64 of the tag's UTF-8 bytes.
    public let hash: UInt64
    /// FNV-1a 64 of the family, modulo ``familyBuckets``.
    public let familyBucket: UInt8

    /// Hashes `tag`; its family is the text before the first `:` (the whole
    /// tag when it has none).
    public init(_ tag: String) {
        let bytes = Array(tag.utf8)
        let familyEnd = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.count
        hash = Self.fnv1a(bytes[...])
        familyBucket = UInt8(Self.fnv1a(bytes[..<familyEnd]) % UInt64(Self.familyBuckets))
    }

    /// A tag from a stored hash and bucket (e.g. read back from the caller's store).
    public init(hash: UInt64, familyBucket: UInt8) {
        self.hash = hash
        self.familyBucket = familyBucket % UInt8(Self.familyBuckets)
    }

    /// `tag#HASH/familyN`: the tag's text is not kept, so logs show its hash and bucket.
    public var description: String { "tag#\(String(hash, radix: 16))/family\(familyBucket)" }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 { FNV1a.hash(bytes) }
}

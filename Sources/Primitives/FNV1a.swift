/// FNV-1a, 64 bits: a hash that is the same in every process and on every
/// machine (Swift's `Hasher` is seeded per process and is not), for keys that
/// are stored or sent: context tags, helpdesk event ids.
public enum FNV1a {
    /// The offset basis: the hash of no bytes.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV prime for 64 bits.
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of `bytes`.
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h = offsetBasis
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// The hash of a string's UTF-8 bytes.
    @inlinable
    public static func hash(_ text: String) -> UInt64 { hash(text.utf8) }
}

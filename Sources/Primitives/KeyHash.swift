/// The hash of the open-addressing tables keyed by vector or group ids.
///
/// Those ids are chosen by clients, so a plain multiplicative hash would let
/// a crafted set of ids land in one run of buckets and turn every look-up
/// into a scan. Mixing the key with a random seed through MurmurHash3's
/// 64-bit finaliser (every output bit depends on every input bit) takes that
/// aim away for a few cycles a look-up.
public enum KeyHash {
    /// Drawn once per process, for tables that are built too often (one per
    /// request) to draw a seed of their own.
    public static let processSeed = UInt64.random(in: .min ... .max)

    /// `key` mixed with `seed`; use the high bits for a power-of-two table
    /// (`>> (64 − bits)`) or mask the low ones — both are well mixed.
    @inlinable @inline(__always)
    public static func mix(_ key: UInt64, seed: UInt64) -> UInt64 {
        var h = key ^ seed
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

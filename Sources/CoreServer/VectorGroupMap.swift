import CSupport
import Primitives

/// Vector id → (group slot, alias flag) for `RANK`: one flat array of
/// 16-byte buckets, open addressing with linear probing and backward-shift
/// deletion (no tombstones), at most half full.
///
/// Why not `Dictionary`: a `RANK` looks up every one of its C hits, right
/// after the search has filled the cache with vectors, so each look-up is a
/// cache miss, and `Dictionary` takes them one after another behind a SipHash
/// each. Here ``prefetch(_:)`` issues the loads of all C buckets first, so the
/// misses overlap, and the probes that follow find them in the cache
/// (RESULTS.md, "RANK in the core: group slots").
///
/// Keys are mixed with a per-map random seed (``KeyHash``), so ids a client
/// chooses cannot be aimed at one run of buckets.
/// Not thread-safe: its owner locks.
struct VectorGroupMap {
    /// One bucket: a key, its group's slot, and the ``occupied`` / ``alias`` bits.
    struct Bucket {
        var key: UInt64
        var groupSlot: UInt32
        var flags: UInt32
    }

    static let occupied: UInt32 = 1
    static let alias: UInt32 = 2

    private var buckets: [Bucket]
    private var mask: Int
    private let seed: UInt64
    /// Keys present.
    private(set) var count = 0

    init(minimumCapacity: Int = 16, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        var capacity = 16
        while capacity < 2 * minimumCapacity { capacity *= 2 }
        buckets = [Bucket](repeating: Bucket(key: 0, groupSlot: 0, flags: 0), count: capacity)
        mask = capacity - 1
        self.seed = seed
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: KeyHash.mix(key, seed: seed)) & mask
    }

    /// The bucket holding `key`, or the empty bucket where it would go.
    @inline(__always)
    private func position(of key: UInt64, in b: UnsafeBufferPointer<Bucket>) -> Int {
        var i = home(key)
        while b[i].flags & Self.occupied != 0 && b[i].key != key { i = (i + 1) & mask }
        return i
    }

    /// The group slot and alias flag of `key`, or nil.
    @inline(__always)
    func find(_ key: UInt64) -> (groupSlot: UInt32, isAlias: Bool)? {
        buckets.withUnsafeBufferPointer { b in
            let bucket = b[position(of: key, in: b)]
            guard bucket.flags & Self.occupied != 0 else { return nil }
            return (bucket.groupSlot, bucket.flags & Self.alias != 0)
        }
    }

    /// Starts loading the home bucket of every key, so that the ``find(_:)``
    /// calls that follow overlap their cache misses instead of taking them in turn.
    @inline(__always)
    func prefetch<S: Sequence>(_ keys: S) where S.Element == UInt64 {
        buckets.withUnsafeBufferPointer { b in
            let base = b.baseAddress!
            for key in keys { ld_prefetch(base + home(key)) }
        }
    }

    /// Adds `key` with `place` as its value unless present, for a map used
    /// as a key → place table (``RankingGroupTable/gather(_:metric:)``).
    /// - Returns: the key's value: `place` when it was absent, its earlier place otherwise.
    mutating func insert(_ key: UInt64, place: UInt32) -> UInt32 {
        if 2 * (count + 1) > buckets.count { grow() }
        let i = buckets.withUnsafeBufferPointer { position(of: key, in: $0) }
        if buckets[i].flags & Self.occupied != 0 { return buckets[i].groupSlot }
        buckets[i] = Bucket(key: key, groupSlot: place, flags: Self.occupied)
        count += 1
        return place
    }

    /// Sets `key`'s group slot and alias flag, inserting it if absent.
    mutating func set(_ key: UInt64, groupSlot: UInt32, isAlias: Bool) {
        if 2 * (count + 1) > buckets.count { grow() }
        let flags = Self.occupied | (isAlias ? Self.alias : 0)
        let i = buckets.withUnsafeBufferPointer { position(of: key, in: $0) }
        if buckets[i].flags & Self.occupied == 0 { count += 1 }
        buckets[i] = Bucket(key: key, groupSlot: groupSlot, flags: flags)
    }

    /// Removes `key` if present: the buckets after it in its run move back,
    /// so every remaining key stays reachable from its home bucket.
    mutating func remove(_ key: UInt64) {
        var hole = buckets.withUnsafeBufferPointer { position(of: key, in: $0) }
        guard buckets[hole].flags & Self.occupied != 0 else { return }
        count -= 1
        var next = (hole + 1) & mask
        while buckets[next].flags & Self.occupied != 0 {
            let h = home(buckets[next].key)
            // `next` may move into the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < h && h <= next) : (hole < h || h <= next)
            if !stays {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole].flags = 0
    }

    /// Keys marked as aliases (a scan of the buckets, for `STATS`).
    var aliasCount: Int {
        buckets.reduce(0) { $0 + ($1.flags & (Self.occupied | Self.alias) == Self.occupied | Self.alias ? 1 : 0) }
    }

    /// Every entry, in no particular order.
    var entries: [(key: UInt64, groupSlot: UInt32, isAlias: Bool)] {
        buckets.compactMap { b in
            b.flags & Self.occupied != 0 ? (b.key, b.groupSlot, b.flags & Self.alias != 0) : nil
        }
    }

    private mutating func grow() {
        let old = buckets
        buckets = [Bucket](repeating: Bucket(key: 0, groupSlot: 0, flags: 0), count: old.count * 2)
        mask = buckets.count - 1
        count = 0
        for b in old where b.flags & Self.occupied != 0 {
            let i = buckets.withUnsafeBufferPointer { position(of: b.key, in: $0) }
            buckets[i] = b
            count += 1
        }
    }
}

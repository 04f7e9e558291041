import VectorIndex

/// Vector id → (group slot, alias flag) for `RANK`: an ``IDHashMap`` whose
/// value packs the two as `slot << 2 | alias << 1 | 1` (never 0).
///
/// The map's buckets are chunked and prefetchable: a `RANK` starts the
/// loads of its hits' buckets ahead of their look-ups (RESULTS.md, "RANK in
/// the core: group slots"), and a snapshot's copy of the table costs the
/// first change after it one chunk, not the map (RESULTS.md, "Snapshots of
/// grouped collections"). Not thread-safe: its owner locks.
struct VectorGroupMap {
    private var map: IDHashMap

    init(minimumCapacity: Int = 8) {
        map = IDHashMap(minimumCapacity: minimumCapacity)
    }

    /// Keys present.
    var count: Int { map.count }

    @inline(__always)
    private static func pack(_ groupSlot: UInt32, _ isAlias: Bool) -> UInt64 {
        UInt64(groupSlot) << 2 | (isAlias ? 2 : 0) | 1
    }

    /// The group slot and alias flag of `key`, or nil.
    @inline(__always)
    func find(_ key: UInt64) -> (groupSlot: UInt32, isAlias: Bool)? {
        guard let v = map.value(of: key) else { return nil }
        return (UInt32(truncatingIfNeeded: v >> 2), v & 2 != 0)
    }

    /// Starts loading `key`'s bucket, for a ``find(_:)`` soon after.
    @inline(__always)
    func prefetch(_ key: UInt64) { map.prefetch(key) }

    /// Sets `key`'s group slot and alias flag, inserting it if absent.
    mutating func set(_ key: UInt64, groupSlot: UInt32, isAlias: Bool) {
        map.set(key, value: Self.pack(groupSlot, isAlias))
    }

    /// Removes `key` if present.
    mutating func remove(_ key: UInt64) { map.remove(key) }

    /// Keys marked as aliases (a scan of the buckets, for `STATS`).
    var aliasCount: Int {
        var n = 0
        map.forEach { _, v in if v & 2 != 0 { n += 1 } }
        return n
    }

    /// Every entry, sorted by key.
    var sortedEntries: [(key: UInt64, groupSlot: UInt32, isAlias: Bool)] {
        map.sortedEntries().map { ($0.key, UInt32(truncatingIfNeeded: $0.value >> 2), $0.value & 2 != 0) }
    }
}

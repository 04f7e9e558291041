import CSupport
import Primitives

/// Id → nonzero `UInt64`, for the tables keyed by client-chosen vector or
/// group ids that a `RANK` reads once per hit and a snapshot copies in its pause.
///
/// Open addressing with linear probing and backward-shift deletion (no
/// tombstones), at most half full, over 16-byte buckets `(key, value)` where
/// value 0 marks an empty bucket — so the values stored are never 0 (a
/// caller stores a slot as `slot + 1`, say). Keys are mixed with a per-map
/// random seed (``KeyHash``): ids a client chooses cannot be aimed at one
/// run of buckets.
///
/// Why not `Dictionary`:
/// - a look-up right after a search is a cache miss; ``prefetch(_:)`` issues
///   the loads of many keys' buckets first, so their misses overlap
///   (RESULTS.md, "RANK in the core: group slots");
/// - the buckets are a ``ChunkedArray``: a snapshot's copy shares them, and
///   the first change after it copies 64 KiB, not the whole table (a
///   dictionary of a million entries took 33–41 ms to copy, RESULTS.md,
///   "Snapshots of grouped collections").
///
/// Not thread-safe: its owner locks.
public struct IDHashMap: Sendable {
    @usableFromInline
    struct Bucket: Sendable {
        @usableFromInline var key: UInt64
        @usableFromInline var value: UInt64
        @inlinable init(key: UInt64, value: UInt64) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var buckets: ChunkedArray<Bucket>
    @usableFromInline var mask: Int
    @usableFromInline let seed: UInt64
    @usableFromInline var storedCount = 0

    /// Buckets a chunk holds at most: 64 KiB, the most a change after a snapshot copies.
    @usableFromInline static let chunkShift = 12

    /// Keys present.
    @inlinable public var count: Int { storedCount }

    /// A map with room for `minimumCapacity` keys before it grows.
    /// - Parameter seed: the key mixing's seed; a table made per request may
    ///   pass ``KeyHash/processSeed`` to save drawing one.
    public init(minimumCapacity: Int = 8, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        var capacity = 16
        while capacity < 2 * minimumCapacity { capacity *= 2 }
        self.seed = seed
        mask = capacity - 1
        buckets = Self.emptyBuckets(capacity)
    }

    @usableFromInline
    static func emptyBuckets(_ capacity: Int) -> ChunkedArray<Bucket> {
        ChunkedArray(repeating: Bucket(key: 0, value: 0), count: capacity,
                     chunkShift: min(chunkShift, capacity.trailingZeroBitCount))
    }

    @inlinable @inline(__always)
    func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: KeyHash.mix(key, seed: seed)) & mask
    }

    /// The bucket holding `key`, or the empty bucket where it would go.
    @inlinable @inline(__always)
    func position(of key: UInt64) -> Int {
        var i = home(key)
        while true {
            let b = buckets[i]
            if b.value == 0 || b.key == key { return i }
            i = (i + 1) & mask
        }
    }

    /// `key`'s value, or nil.
    @inlinable @inline(__always)
    public func value(of key: UInt64) -> UInt64? {
        let b = buckets[position(of: key)]
        return b.value != 0 ? b.value : nil
    }

    /// Starts loading `key`'s home bucket, so that the look-ups that follow
    /// overlap their cache misses instead of taking them in turn.
    @inlinable @inline(__always)
    public func prefetch(_ key: UInt64) {
        buckets.withUnsafePointer(to: home(key)) { ld_prefetch($0) }
    }

    /// Adds `key` with `value` unless present.
    /// - Returns: the key's value: `value` when it was absent, its earlier value otherwise.
    @inlinable
    public mutating func insert(_ key: UInt64, value: UInt64) -> UInt64 {
        precondition(value != 0, "an IDHashMap value is never 0")
        if 2 * (storedCount + 1) > mask + 1 { grow() }
        let i = position(of: key)
        let old = buckets[i].value
        if old != 0 { return old }
        buckets[i] = Bucket(key: key, value: value)
        storedCount += 1
        return value
    }

    /// Sets `key`'s value, inserting the key if absent.
    @inlinable
    public mutating func set(_ key: UInt64, value: UInt64) {
        precondition(value != 0, "an IDHashMap value is never 0")
        if 2 * (storedCount + 1) > mask + 1 { grow() }
        let i = position(of: key)
        if buckets[i].value == 0 { storedCount += 1 }
        buckets[i] = Bucket(key: key, value: value)
    }

    /// Removes `key` if present: the buckets after it in its run move back,
    /// so every remaining key stays reachable from its home bucket.
    /// - Returns: whether it was present.
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Bool {
        var hole = position(of: key)
        guard buckets[hole].value != 0 else { return false }
        storedCount -= 1
        var next = (hole + 1) & mask
        while buckets[next].value != 0 {
            let h = home(buckets[next].key)
            // `next` may move into the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < h && h <= next) : (hole < h || h <= next)
            if !stays {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole].value = 0
        return true
    }

    /// Calls `body` with every key and value, in no particular order.
    public func forEach(_ body: (_ key: UInt64, _ value: UInt64) throws -> Void) rethrows {
        for i in buckets.indices {
            let b = buckets[i]
            if b.value != 0 { try body(b.key, b.value) }
        }
    }

    /// Every key and value, sorted by key (for encodings that equal maps give equal bytes).
    public func sortedEntries() -> [(key: UInt64, value: UInt64)] {
        var out: [(key: UInt64, value: UInt64)] = []
        out.reserveCapacity(storedCount)
        forEach { out.append(($0, $1)) }
        out.sort { $0.key < $1.key }
        return out
    }

    @usableFromInline
    mutating func grow() {
        let old = buckets
        buckets = Self.emptyBuckets(2 * (mask + 1))
        mask = 2 * (mask + 1) - 1
        for i in old.indices {
            let b = old[i]
            if b.value != 0 { buckets[position(of: b.key)] = b }
        }
    }
}

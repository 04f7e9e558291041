import Primitives

/// Which group (article) each vector stands for: changed the same way by a live
/// change and by its replay, so a recovered map is the map the live path built.
///
/// An ``IDHashMap`` (vector id → group; vectors without a group, group 0,
/// are absent), so a snapshot's copy in its pause costs the next change one
/// chunk of buckets, not a copy of the map (RESULTS.md, "Snapshots of
/// grouped collections").
struct GroupMap {
    private var map: IDHashMap

    init(minimumCapacity: Int = 8) {
        map = IDHashMap(minimumCapacity: minimumCapacity)
    }

    /// The map of these pairs (groups 0 are left out).
    init(_ pairs: [(id: UInt64, group: UInt64)]) {
        map = IDHashMap(minimumCapacity: pairs.count)
        for pair in pairs where pair.group != 0 { map.set(pair.id, value: pair.group) }
    }

    /// Vectors with a group.
    var count: Int { map.count }

    /// `id`'s group, or nil for a vector without one.
    func group(of id: UInt64) -> UInt64? { map.value(of: id) }

    /// Upserted items take their group, or lose the one they had when they carry none.
    mutating func apply(upserted items: [UpsertItem]) {
        for item in items {
            if item.group != 0 { map.set(item.id, value: item.group) } else { map.remove(item.id) }
        }
    }

    /// Deleted vectors leave the map.
    mutating func apply(deleted ids: [UInt64]) {
        for id in ids { map.remove(id) }
    }

    /// The snapshot section: `u64 n | n × (u64 id | u64 group)`, sorted by id
    /// so equal maps give equal bytes.
    func encoded() -> [UInt8] {
        let entries = map.sortedEntries()
        var w = ByteWriter(capacity: 8 + entries.count * 16)
        w.write(UInt64(entries.count))
        for (id, group) in entries {
            w.write(id)
            w.write(group)
        }
        return w.bytes
    }

    /// Reads ``encoded()``'s bytes.
    /// - Throws: ``PersistenceError`` naming `path` and the field when they are cut short or a count cannot fit.
    init(decoding bytes: [UInt8], path: String) throws {
        let pairs = try withRecordReader(bytes, path: path, origin: 0) { r -> [(id: UInt64, group: UInt64)] in
            let count = Int(try r.read(UInt64.self, "group count"))
            var out: [(id: UInt64, group: UInt64)] = []
            out.reserveCapacity(min(count, bytes.count / 16))
            for _ in 0..<count { out.append((try r.read(UInt64.self, "group id"), try r.read(UInt64.self, "group"))) }
            return out
        }
        self.init(pairs)
    }
}

import Primitives

/// Which group (article) each vector stands for: changed the same way by a live
/// change and by its replay, so a recovered map is the map the live path built.
struct GroupMap {
    /// Vector id → group; vectors without a group are absent.
    var groups: [UInt64: UInt64] = [:]

    /// Upserted items take their group, or lose the one they had when they carry none.
    mutating func apply(upserted items: [UpsertItem]) {
        for item in items {
            if item.group != 0 { groups[item.id] = item.group } else { groups.removeValue(forKey: item.id) }
        }
    }

    /// Deleted vectors leave the map.
    mutating func apply(deleted ids: [UInt64]) {
        for id in ids { groups.removeValue(forKey: id) }
    }
}

func encodeGroups(_ groups: [UInt64: UInt64]) -> [UInt8] {
    var w = ByteWriter(capacity: 8 + groups.count * 16)
    w.write(UInt64(groups.count))
    for (id, group) in groups.sorted(by: { $0.key < $1.key }) {
        w.write(id)
        w.write(group)
    }
    return w.bytes
}

func decodeGroups(_ bytes: [UInt8], path: String) throws -> [UInt64: UInt64] {
    try withRecordReader(bytes, path: path, origin: 0) { r in
        let count = Int(try r.read(UInt64.self, "group count"))
        var out: [UInt64: UInt64] = [:]
        for _ in 0..<count { out[try r.read(UInt64.self, "group id")] = try r.read(UInt64.self, "group") }
        return out
    }
}

import Primitives
import Ranking
import Wire

/// What `RANK` needs to know about the vectors and groups of one collection
/// that the index does not keep: which vectors are learned aliases, and per
/// group its tags and insert/update times (docs/RANKING.md, "Wiring into the core").
///
/// Rules (docs/PROTOCOL.md §7.10):
/// - a vector's group is its UPSERT group id; a vector without one (group 0)
///   is its own group, with the vector id as group id;
/// - a vector tagged ``aliasTag`` (`alias`) is a learned alias of its group;
///   any other vector is the group's article;
/// - a group's tags are the tags of its most recently upserted article
///   vector; `insertedAt` is the core's clock at the group's first upsert,
///   `updatedAt` at its article's latest upsert.
///
/// Changed only by ``apply(_:)`` with a ``Change`` that the caller logged
/// first, so replaying the log rebuilds it exactly. Not thread-safe: its owner locks.
struct RankingGroupTable {
    /// The reserved tag that marks an alias vector.
    static let aliasTag = "alias"

    struct VectorEntry: Equatable {
        var group: UInt64
        var isAlias: Bool
    }

    struct GroupEntry: Equatable {
        var tags: [String]
        var contextTags: [ContextTag]
        var insertedAt: Double
        var updatedAt: Double

        init(tags: [String], insertedAt: Double, updatedAt: Double) {
            self.tags = tags
            contextTags = tags.map(ContextTag.init)
            self.insertedAt = insertedAt
            self.updatedAt = updatedAt
        }

        var info: GroupInfo { GroupInfo(tags: contextTags, insertedAt: insertedAt, updatedAt: updatedAt) }
    }

    /// One logged change: an UPSERT's items at a time, or a DELETE's ids.
    enum Change: Equatable {
        case upsert(time: Double, items: [(id: UInt64, group: UInt64, tags: [String])])
        case delete(ids: [UInt64])

        static func == (a: Change, b: Change) -> Bool { a.encoded() == b.encoded() }

        /// `u8 op (1 upsert, 2 delete)`; upsert: `f64 time | u32 n | n × (u64 id | u64 group | u8 tagCount | str tags)`;
        /// delete: `u32 n | u64[n] ids`.
        func encoded() -> [UInt8] {
            var w = ByteWriter(capacity: 64)
            switch self {
            case let .upsert(time, items):
                w.write(UInt8(1))
                w.write(time.bitPattern)
                w.write(UInt32(truncatingIfNeeded: items.count))
                for item in items {
                    w.write(item.id)
                    w.write(item.group)
                    w.write(UInt8(truncatingIfNeeded: item.tags.count))
                    for tag in item.tags { w.write(string: tag) }
                }
            case let .delete(ids):
                w.write(UInt8(2))
                w.write(UInt32(truncatingIfNeeded: ids.count))
                w.write(uint64s: ids)
            }
            return w.bytes
        }

        /// Reads ``encoded()``'s bytes.
        /// - Throws: `MALFORMED_PAYLOAD`-coded ``WireError`` naming the field.
        init(decoding bytes: [UInt8]) throws {
            self = try bytes.withUnsafeBytes { (raw) throws -> Change in
                var r = ByteReader<WireError>(raw, context: "ranking group change")
                let change: Change
                switch try r.read(UInt8.self, "op") {
                case 1:
                    let time = Double(bitPattern: try r.read(UInt64.self, "time"))
                    let n = Int(try r.read(UInt32.self, "count"))
                    var items: [(id: UInt64, group: UInt64, tags: [String])] = []
                    items.reserveCapacity(min(n, r.remaining / 17))
                    for _ in 0..<n {
                        let id = try r.read(UInt64.self, "id")
                        let group = try r.read(UInt64.self, "group")
                        let tagCount = Int(try r.read(UInt8.self, "tagCount"))
                        var tags: [String] = []
                        for _ in 0..<tagCount { tags.append(try r.readString("tag")) }
                        items.append((id, group, tags))
                    }
                    change = .upsert(time: time, items: items)
                case 2:
                    let n = Int(try r.read(UInt32.self, "count"))
                    change = .delete(ids: try r.readUInt64s(count: n, "ids"))
                case let op:
                    throw WireError(.malformedPayload, "ranking group change: unknown op \(op)")
                }
                try r.expectEnd()
                return change
            }
        }
    }

    private(set) var vectors: [UInt64: VectorEntry] = [:]
    private(set) var groups: [UInt64: GroupEntry] = [:]

    /// Applies one change (live, after logging it, or during replay).
    mutating func apply(_ change: Change) {
        switch change {
        case let .upsert(time, items):
            for item in items {
                let group = item.group == 0 ? item.id : item.group
                let isAlias = item.tags.contains(Self.aliasTag)
                vectors[item.id] = VectorEntry(group: group, isAlias: isAlias)
                let tags = item.tags.filter { $0 != Self.aliasTag }
                if var entry = groups[group] {
                    if !isAlias {
                        entry = GroupEntry(tags: tags, insertedAt: entry.insertedAt, updatedAt: time)
                        groups[group] = entry
                    }
                } else {
                    groups[group] = GroupEntry(tags: isAlias ? [] : tags, insertedAt: time, updatedAt: time)
                }
            }
        case let .delete(ids):
            // A group's entry outlives its vectors (a few bytes): its times
            // stay right if an article is deleted and re-inserted.
            for id in ids { vectors.removeValue(forKey: id) }
        }
    }

    /// The candidate hit and group of a vector; a vector the table does not
    /// know (upserted before ranking was on) is its own group, not an alias.
    @inline(__always)
    func lookup(_ vectorID: UInt64) -> VectorEntry {
        vectors[vectorID] ?? VectorEntry(group: vectorID, isAlias: false)
    }

    // MARK: - Snapshot encoding

    /// `u64 nv | nv × (u64 id | u64 group | u8 alias) | u64 ng | ng × (u64 group | f64 inserted | f64 updated | u8 tagCount | str tags)`,
    /// both sorted by id so equal tables give equal bytes.
    func encode(into w: inout ByteWriter) {
        w.write(UInt64(vectors.count))
        for (id, entry) in vectors.sorted(by: { $0.key < $1.key }) {
            w.write(id)
            w.write(entry.group)
            w.write(UInt8(entry.isAlias ? 1 : 0))
        }
        w.write(UInt64(groups.count))
        for (group, entry) in groups.sorted(by: { $0.key < $1.key }) {
            w.write(group)
            w.write(entry.insertedAt.bitPattern)
            w.write(entry.updatedAt.bitPattern)
            w.write(UInt8(truncatingIfNeeded: entry.tags.count))
            for tag in entry.tags { w.write(string: tag) }
        }
    }

    init() {}

    init(reading r: inout ByteReader<WireError>) throws(WireError) {
        let nv = Int(try r.read(UInt64.self, "vector count"))
        guard nv <= r.remaining / 17 else { throw WireError(.malformedPayload, "ranking group table: \(nv) vectors cannot fit") }
        vectors.reserveCapacity(nv)
        for _ in 0..<nv {
            let id = try r.read(UInt64.self, "vector id")
            let group = try r.read(UInt64.self, "vector group")
            vectors[id] = VectorEntry(group: group, isAlias: try r.read(UInt8.self, "alias") != 0)
        }
        let ng = Int(try r.read(UInt64.self, "group count"))
        guard ng <= r.remaining / 25 else { throw WireError(.malformedPayload, "ranking group table: \(ng) groups cannot fit") }
        groups.reserveCapacity(ng)
        for _ in 0..<ng {
            let group = try r.read(UInt64.self, "group")
            let inserted = Double(bitPattern: try r.read(UInt64.self, "insertedAt"))
            let updated = Double(bitPattern: try r.read(UInt64.self, "updatedAt"))
            let tagCount = Int(try r.read(UInt8.self, "tagCount"))
            var tags: [String] = []
            for _ in 0..<tagCount { tags.append(try r.readString("tag")) }
            groups[group] = GroupEntry(tags: tags, insertedAt: inserted, updatedAt: updated)
        }
    }
}

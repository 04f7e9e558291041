import CSupport
import Primitives
import Ranking
import VectorIndex
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
///
/// Laid out for `RANK`, which reads it once per hit right after a search has
/// filled the cache with vectors (RESULTS.md, "RANK in the core: group
/// slots"): each group has a dense slot; a vector's bucket in
/// ``VectorGroupMap`` holds its group's slot and alias flag; a group's record
/// is plain values (no reference to retain), its hashed tags a range of one
/// shared buffer. ``gather(_:metric:)`` prefetches the buckets of all hits,
/// then the records of all their groups, so their cache misses overlap.
struct RankingGroupTable {
    /// The reserved tag that marks an alias vector.
    static let aliasTag = "alias"

    /// What the table says about one vector.
    struct VectorEntry: Equatable {
        var group: UInt64
        var isAlias: Bool
    }

    /// One group's record, by slot: plain values, so reading it retains nothing.
    struct GroupRecord: Equatable {
        var id: UInt64
        var insertedAt: Double
        var updatedAt: Double
        /// Where the group's hashed tags start in ``contextTags`` and how many there are.
        var tagStart: UInt32
        var tagCount: UInt32
        /// The first of them, kept here too: most articles carry one tag, and
        /// `RANK` then reads it with the record instead of missing the cache
        /// again in ``contextTags``. (Hash 0, bucket 0 with no tags.)
        var firstTag = ContextTag(hash: 0, familyBucket: 0)
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

    private(set) var vectors = VectorGroupMap()
    /// Group records by slot; a group keeps its slot for the table's life.
    /// Chunked, like the maps, so the first change after a snapshot's copy copies one chunk.
    private var records = ChunkedArray<GroupRecord>()
    /// Each slot's tags as a snapshot writes them (`u8 count | str tags…`), a
    /// range of one shared byte buffer, aligned with `records`: plain bytes,
    /// so a copy of the table (a snapshot's, in its pause) retains nothing per
    /// group, and after the snapshot's fork the next change does not fault
    /// in a page for every group (RESULTS.md, "Snapshots of grouped collections").
    private var tagTextRanges = ChunkedArray<Range<Int>>()
    private var tagTextBytes: [UInt8] = []
    private var liveTagTextBytes = 0
    /// Group id → slot + 1.
    private var slotOfGroup = IDHashMap()
    /// Every group's hashed tags, each group's a contiguous range; ranges
    /// replaced by newer tags stay until ``compactTags()`` drops them.
    private var contextTags: [ContextTag] = []
    private var liveTagCount = 0

    /// Groups the table knows.
    var groupCount: Int { records.count }
    /// Vectors the table knows.
    var vectorCount: Int { vectors.count }
    /// Of those, the learned aliases.
    var aliasCount: Int { vectors.aliasCount }

    /// Applies one change (live, after logging it, or during replay).
    mutating func apply(_ change: Change) {
        switch change {
        case let .upsert(time, items):
            for item in items {
                let group = item.group == 0 ? item.id : item.group
                let isAlias = item.tags.contains(Self.aliasTag)
                let tags = item.tags.filter { $0 != Self.aliasTag }
                let slot: UInt32
                if let existing = self.slot(ofGroup: group) {
                    slot = existing
                    // An article's upsert sets its group's tags and update time; an alias's changes neither.
                    if !isAlias {
                        setTags(tags, of: slot)
                        records[Int(slot)].updatedAt = time
                    }
                } else {
                    slot = addGroup(GroupRecord(id: group, insertedAt: time, updatedAt: time, tagStart: 0, tagCount: 0))
                    if !isAlias { setTags(tags, of: slot) }
                }
                vectors.set(item.id, groupSlot: slot, isAlias: isAlias)
            }
        case let .delete(ids):
            // A group's record outlives its vectors (a few bytes): its times
            // stay right if an article is deleted and re-inserted.
            for id in ids { vectors.remove(id) }
        }
    }

    private func slot(ofGroup group: UInt64) -> UInt32? {
        slotOfGroup.value(of: group).map { UInt32(truncatingIfNeeded: $0 - 1) }
    }

    /// Gives a new group the next slot, with no tags yet.
    private mutating func addGroup(_ record: GroupRecord) -> UInt32 {
        let slot = UInt32(records.count)
        slotOfGroup.set(record.id, value: UInt64(slot) + 1)
        records.append(record)
        tagTextRanges.append(0..<0)
        return slot
    }

    private mutating func setTags(_ tags: [String], of slot: UInt32) {
        let s = Int(slot)
        var text = ByteWriter(capacity: 1 + tags.reduce(0) { $0 + 2 + $1.utf8.count })
        text.write(UInt8(truncatingIfNeeded: tags.count))
        for tag in tags { text.write(string: tag) }
        let old = tagTextRanges[s]
        // A slot's first tags are never empty text (they start with their count), so an empty range differs.
        guard old.isEmpty || !tagTextBytes[old].elementsEqual(text.bytes) else { return }
        liveTagTextBytes += text.bytes.count - old.count
        tagTextRanges[s] = tagTextBytes.count..<(tagTextBytes.count + text.bytes.count)
        tagTextBytes.append(contentsOf: text.bytes)
        if tagTextBytes.count > 2 * liveTagTextBytes + 65_536 { compactTagTexts() }
        liveTagCount += tags.count - Int(records[s].tagCount)
        records[s].tagStart = UInt32(contextTags.count)
        records[s].tagCount = UInt32(tags.count)
        let hashed = tags.map(ContextTag.init)
        records[s].firstTag = hashed.first ?? ContextTag(hash: 0, familyBucket: 0)
        contextTags.append(contentsOf: hashed)
        if contextTags.count > 2 * liveTagCount + 4096 { compactTags() }
    }

    /// Rebuilds the tags' text buffer with only the ranges in use.
    private mutating func compactTagTexts() {
        var compacted: [UInt8] = []
        compacted.reserveCapacity(liveTagTextBytes)
        for s in tagTextRanges.indices {
            let range = tagTextRanges[s]
            tagTextRanges[s] = compacted.count..<(compacted.count + range.count)
            compacted.append(contentsOf: tagTextBytes[range])
        }
        tagTextBytes = compacted
    }

    /// Rebuilds ``contextTags`` with only the ranges in use.
    private mutating func compactTags() {
        var compacted: [ContextTag] = []
        compacted.reserveCapacity(liveTagCount)
        for s in records.indices {
            let r = records[s]
            let start = compacted.count
            compacted.append(contentsOf: contextTags[Int(r.tagStart)..<Int(r.tagStart + r.tagCount)])
            records[s].tagStart = UInt32(start)
        }
        contextTags = compacted
    }

    /// The candidate hit and group of a vector; a vector the table does not
    /// know (upserted before ranking was on) is its own group, not an alias.
    func lookup(_ vectorID: UInt64) -> VectorEntry {
        guard let (slot, isAlias) = vectors.find(vectorID) else { return VectorEntry(group: vectorID, isAlias: false) }
        return VectorEntry(group: records[Int(slot)].id, isAlias: isAlias)
    }

    /// A group's information for the ranker, or nil for a group the table does not know.
    func info(ofGroup group: UInt64) -> GroupInfo? {
        slot(ofGroup: group).map { info(ofSlot: $0) }
    }

    private func info(ofSlot slot: UInt32) -> GroupInfo {
        let r = records[Int(slot)]
        return GroupInfo(tags: contextTags[Int(r.tagStart)..<Int(r.tagStart + r.tagCount)],
                         insertedAt: r.insertedAt, updatedAt: r.updatedAt)
    }

    // MARK: - RANK

    /// The ranker's view of a search's hits (nearest first): one candidate
    /// per hit, the information of each distinct group in the order of its
    /// first hit, and each hit's place in that order
    /// (``RequestGroups/grouped(_:groupOfHit:)``).
    ///
    /// Four passes, so that no pass waits on a load the one before could have
    /// started: the hits' buckets (prefetched together) give each hit its
    /// group slot and the distinct slots, whose records are prefetched as they
    /// are met; the records give where each group's tags lie, prefetched in
    /// turn; the tags are copied into one flat ``GroupInfoList`` (nothing
    /// retained per group); the records, now cached, give each hit its group id.
    func gather(_ hits: [SearchHit], metric: Metric) -> (candidates: [CandidateHit], groups: GroupInfoList, groupOfHit: [UInt32]) {
        let ahead = 12
        for hit in hits.prefix(ahead) { vectors.prefetch(hit.id) }
        // Per hit: its group's slot (`unknownSlot` for a vector and group the table does
        // not know), its alias flag, and its group's place in first-hit order.
        var slots = [UInt32](repeating: 0, count: hits.count)
        var aliases = [Bool](repeating: false, count: hits.count)
        var groupOfHit = [UInt32](repeating: 0, count: hits.count)
        // The distinct groups in first-hit order: a slot, or `unknownSlot` and the hit's id.
        var order: [(slot: UInt32, unknownID: UInt64)] = []
        order.reserveCapacity(hits.count)
        // Place by slot (and by the id of an unknown vector) of the groups met so far.
        // (Values are place + 1: an IDHashMap value is never 0.)
        var placeOfSlot = IDHashMap(minimumCapacity: hits.count, seed: KeyHash.processSeed)
        // Created at the first unknown vector (rare: ranking was off when it came), sized for every hit.
        var placeOfUnknown: IDHashMap?
        for (i, hit) in hits.enumerated() {
            if i + ahead < hits.count { vectors.prefetch(hits[i + ahead].id) }
            var slot = Self.unknownSlot
            if let found = vectors.find(hit.id) {
                slot = found.groupSlot
                aliases[i] = found.isAlias
            } else if let own = self.slot(ofGroup: hit.id) {
                // Upserted before ranking was on: its own group, which may still have a record.
                slot = own
            }
            slots[i] = slot
            let next = UInt64(order.count) + 1
            if slot != Self.unknownSlot {
                let place = placeOfSlot.insert(UInt64(slot), value: next)
                if place == next {
                    order.append((slot, 0))
                    records.withUnsafePointer(to: Int(slot)) { ld_prefetch($0) }
                }
                groupOfHit[i] = UInt32(truncatingIfNeeded: place - 1)
            } else {
                if placeOfUnknown == nil { placeOfUnknown = IDHashMap(minimumCapacity: hits.count, seed: KeyHash.processSeed) }
                let place = placeOfUnknown!.insert(hit.id, value: next)
                if place == next { order.append((slot, hit.id)) }
                groupOfHit[i] = UInt32(truncatingIfNeeded: place - 1)
            }
        }
        // The groups' records (prefetched above), their tags prefetched in turn and
        // copied only once all are on their way: the tags lie wherever each group's
        // last upsert put them, so each range is a cache miss of its own — except a
        // single tag, which the record holds.
        var groups = GroupInfoList(reservingGroups: order.count, tags: 2 * order.count)
        contextTags.withUnsafeBufferPointer { tagBase in
            var known = [GroupRecord]()
            known.reserveCapacity(order.count)
            for group in order where group.slot != Self.unknownSlot {
                let r = records[Int(group.slot)]
                if r.tagCount > 1 { ld_prefetch(tagBase.baseAddress! + Int(r.tagStart)) }
                known.append(r)
            }
            var next = 0
            for group in order {
                guard group.slot != Self.unknownSlot else {
                    groups.appendUnknown()
                    continue
                }
                var r = known[next]
                next += 1
                if r.tagCount == 1 {
                    withUnsafePointer(to: &r.firstTag) {
                        groups.append(tags: UnsafeBufferPointer(start: $0, count: 1), insertedAt: r.insertedAt, updatedAt: r.updatedAt)
                    }
                } else {
                    groups.append(tags: UnsafeBufferPointer(rebasing: tagBase[Int(r.tagStart)..<Int(r.tagStart + r.tagCount)]),
                                  insertedAt: r.insertedAt, updatedAt: r.updatedAt)
                }
            }
        }
        var candidates: [CandidateHit] = []
        candidates.reserveCapacity(hits.count)
        for (i, hit) in hits.enumerated() {
            let slot = slots[i]
            candidates.append(CandidateHit(vectorID: hit.id, groupID: slot != Self.unknownSlot ? records[Int(slot)].id : hit.id,
                                           similarity: CollectionRanking.similarity(hit.distance, metric: metric),
                                           isAlias: aliases[i]))
        }
        return (candidates, groups, groupOfHit)
    }

    /// The slot ``gather(_:metric:)`` gives a vector whose group the table does not know
    /// (slots are dense from 0, and a table never holds 2³² − 1 groups).
    private static let unknownSlot = UInt32.max

    // MARK: - Snapshot encoding

    /// `u64 nv | nv × (u64 id | u64 group | u8 alias) | u64 ng | ng × (u64 group | f64 inserted | f64 updated | u8 tagCount | str tags)`,
    /// both sorted by id so equal tables give equal bytes.
    func encode(into w: inout ByteWriter) {
        w.write(UInt64(vectors.count))
        for entry in vectors.sortedEntries {
            w.write(entry.key)
            w.write(records[Int(entry.groupSlot)].id)
            w.write(UInt8(entry.isAlias ? 1 : 0))
        }
        w.write(UInt64(records.count))
        for slot in records.indices.sorted(by: { records[$0].id < records[$1].id }) {
            let r = records[slot]
            w.write(r.id)
            w.write(r.insertedAt.bitPattern)
            w.write(r.updatedAt.bitPattern)
            // A group whose article never came (only aliases so far) has no text yet: no tags.
            let text = tagTextRanges[slot]
            if text.isEmpty { w.write(UInt8(0)) } else { tagTextBytes[text].withUnsafeBytes { w.write(raw: $0) } }
        }
    }

    init() {}

    /// Reads ``encode(into:)``'s bytes.
    /// - Throws: `MALFORMED_PAYLOAD`-coded ``WireError`` naming the field, or the vector whose group has no record.
    init(reading r: inout ByteReader<WireError>) throws(WireError) {
        let nv = Int(try r.read(UInt64.self, "vector count"))
        guard nv <= r.remaining / 17 else { throw WireError(.malformedPayload, "ranking group table: \(nv) vectors cannot fit") }
        var vectorGroups: [(id: UInt64, group: UInt64, isAlias: Bool)] = []
        vectorGroups.reserveCapacity(nv)
        for _ in 0..<nv {
            let id = try r.read(UInt64.self, "vector id")
            let group = try r.read(UInt64.self, "vector group")
            vectorGroups.append((id, group, try r.read(UInt8.self, "alias") != 0))
        }
        let ng = Int(try r.read(UInt64.self, "group count"))
        guard ng <= r.remaining / 25 else { throw WireError(.malformedPayload, "ranking group table: \(ng) groups cannot fit") }
        for _ in 0..<ng {
            let group = try r.read(UInt64.self, "group")
            let inserted = Double(bitPattern: try r.read(UInt64.self, "insertedAt"))
            let updated = Double(bitPattern: try r.read(UInt64.self, "updatedAt"))
            let tagCount = Int(try r.read(UInt8.self, "tagCount"))
            var tags: [String] = []
            for _ in 0..<tagCount { tags.append(try r.readString("tag")) }
            guard slot(ofGroup: group) == nil else { throw WireError(.malformedPayload, "ranking group table: group \(group) appears twice") }
            let slot = addGroup(GroupRecord(id: group, insertedAt: inserted, updatedAt: updated, tagStart: 0, tagCount: 0))
            setTags(tags, of: slot)
        }
        vectors = VectorGroupMap(minimumCapacity: nv)
        for v in vectorGroups {
            guard let slot = self.slot(ofGroup: v.group) else {
                throw WireError(.malformedPayload, "ranking group table: vector \(v.id)'s group \(v.group) has no record")
            }
            vectors.set(v.id, groupSlot: slot, isAlias: v.isAlias)
        }
    }
}

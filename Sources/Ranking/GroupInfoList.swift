/// The information of many groups laid out flat: every group's times as plain
/// values and every group's tags as one range of a single shared buffer.
///
/// This is the shape the core's `RANK` hands the ranker (``RequestGroups/grouped(_:groupOfHit:)``):
/// a hundred candidate groups cost two buffers, not a hundred tag arrays, and
/// reading a group's tags retains nothing (RESULTS.md, "RANK in the core:
/// group information without a reference per group"). A ``GroupInfo`` per
/// element is still available for callers and tests that want one.
public struct GroupInfoList: Sendable, Equatable, RandomAccessCollection {
    /// One group: where its tags lie in ``tags`` and its times.
    @usableFromInline
    struct Entry: Sendable, Equatable {
        var tagStart: UInt32
        var tagCount: UInt32
        var insertedAt: Double?
        var updatedAt: Double?
    }

    /// Every group's tags, each group's a contiguous range.
    public private(set) var tags: [ContextTag] = []
    @usableFromInline private(set) var entries: [Entry] = []

    /// An empty list with room for `groups` groups and `tags` tags.
    public init(reservingGroups groups: Int = 0, tags: Int = 0) {
        entries.reserveCapacity(groups)
        self.tags.reserveCapacity(tags)
    }

    /// The same information as `infos`, in their order.
    public init(_ infos: some Sequence<GroupInfo>) {
        self.init()
        for info in infos {
            info.tags.withUnsafeBufferPointer { append(tags: $0, insertedAt: info.insertedAt, updatedAt: info.updatedAt) }
        }
    }

    /// Adds a group with these tags and times (nil: unknown).
    public mutating func append(tags groupTags: UnsafeBufferPointer<ContextTag>, insertedAt: Double?, updatedAt: Double?) {
        entries.append(Entry(tagStart: UInt32(truncatingIfNeeded: tags.count), tagCount: UInt32(truncatingIfNeeded: groupTags.count),
                             insertedAt: insertedAt, updatedAt: updatedAt))
        tags.append(contentsOf: groupTags)
    }

    /// Adds a group the caller knows nothing about (no tags, unknown age).
    public mutating func appendUnknown() {
        entries.append(Entry(tagStart: UInt32(truncatingIfNeeded: tags.count), tagCount: 0, insertedAt: nil, updatedAt: nil))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    /// Group `i`'s information as a ``GroupInfo`` (its tags copied into a slice of their own).
    public subscript(i: Int) -> GroupInfo {
        let e = entries[i]
        return GroupInfo(tags: Array(tags[Int(e.tagStart)..<Int(e.tagStart + e.tagCount)]), insertedAt: e.insertedAt, updatedAt: e.updatedAt)
    }

    public static func == (a: GroupInfoList, b: GroupInfoList) -> Bool { a.elementsEqual(b) }
}

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
        @usableFromInline var tagStart: UInt32
        @usableFromInline var tagCount: UInt32
        @usableFromInline var insertedAt: Double?
        @usableFromInline var updatedAt: Double?

        @usableFromInline
        init(tagStart: UInt32, tagCount: UInt32, insertedAt: Double?, updatedAt: Double?) {
            self.tagStart = tagStart
            self.tagCount = tagCount
            self.insertedAt = insertedAt
            self.updatedAt = updatedAt
        }
    }

    /// Every group's tags, each group's a contiguous range.
    public var tags: [ContextTag] { storedTags }
    @usableFromInline var storedTags: [ContextTag] = []
    @usableFromInline var entries: [Entry] = []

    /// An empty list with room for `groups` groups and `tags` tags.
    public init(reservingGroups groups: Int = 0, tags: Int = 0) {
        entries.reserveCapacity(groups)
        storedTags.reserveCapacity(tags)
    }

    /// The same information as `infos`, in their order.
    public init(_ infos: some Sequence<GroupInfo>) {
        self.init()
        for info in infos {
            info.tags.withUnsafeBufferPointer { append(tags: $0, insertedAt: info.insertedAt, updatedAt: info.updatedAt) }
        }
    }

    /// Adds a group with these tags and times (nil: unknown). Inlinable: the
    /// core calls it once per candidate group of every `RANK`.
    @inlinable
    public mutating func append(tags groupTags: UnsafeBufferPointer<ContextTag>, insertedAt: Double?, updatedAt: Double?) {
        entries.append(Entry(tagStart: UInt32(truncatingIfNeeded: storedTags.count), tagCount: UInt32(truncatingIfNeeded: groupTags.count),
                             insertedAt: insertedAt, updatedAt: updatedAt))
        for tag in groupTags { storedTags.append(tag) }
    }

    /// Adds a group the caller knows nothing about (no tags, unknown age).
    @inlinable
    public mutating func appendUnknown() {
        entries.append(Entry(tagStart: UInt32(truncatingIfNeeded: storedTags.count), tagCount: 0, insertedAt: nil, updatedAt: nil))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    /// Group `i`'s information as a ``GroupInfo`` (its tags copied into an array of their own).
    public subscript(i: Int) -> GroupInfo {
        let e = entries[i]
        return GroupInfo(tags: Array(tags[Int(e.tagStart)..<Int(e.tagStart + e.tagCount)]), insertedAt: e.insertedAt, updatedAt: e.updatedAt)
    }

    public static func == (a: GroupInfoList, b: GroupInfoList) -> Bool { a.elementsEqual(b) }
}

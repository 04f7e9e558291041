/// Where a shown group stands in an impression's feedback.
enum GroupOutcomeState: UInt8, Equatable {
    case none = 0, resolved, escalated, corrected, reopened
    /// Not shown first, but named by the agent's correction as the group to use.
    case endorsed

    var name: String {
        switch self {
        case .none: return "none"
        case .resolved: return "resolved"
        case .escalated: return "escalated"
        case .corrected: return "corrected"
        case .reopened: return "reopened"
        case .endorsed: return "endorsed (used instead in a correction)"
        }
    }
}

/// One group as shown in an impression.
struct ShownGroup: Equatable {
    var groupID: UInt64
    /// Probability that this group was put first.
    var propensity: Double
    var state: GroupOutcomeState = .none
    var csatRecorded = false
    /// The FTRL step of its `resolved`, kept until a `reopened` takes it back.
    var undo: FTRLUndo?
}

/// What a ranking showed: kept so feedback can learn from exactly those
/// features, and counterfactual evaluation can reweigh by the propensities.
struct Impression: Equatable {
    var id: UInt64
    var time: Double
    /// Groups in the model's score order (best first).
    var groups: [ShownGroup]
    /// Index in `groups` of the group shown first (≠ 0 when exploration chose another).
    var shownFirst: Int
    /// `groups.count × dimension` features, group by group.
    var features: [Float]

    func index(of group: UInt64) -> Int? { groups.firstIndex { $0.groupID == group } }
}

/// The bounded store of recent impressions: at most `maxCount`, none older
/// than `maxAge` seconds; the oldest leave first.
///
/// Kept in issue order (ids increase) in chunks of ``chunkSize``, found by
/// binary search, rather than in a dictionary by id: a snapshot copies the
/// ranker's state in its pause (copy on write) and the next change pays for
/// that copy. A dictionary's copy touches every impression — after the
/// snapshot's fork, a page fault on nearly every page of them (a 50 000-impression
/// store stalled one RANK 120–160 ms; RESULTS.md, "Snapshots of grouped
/// collections") — where the chunks' copy retains one buffer a chunk and
/// the change then copies the one chunk it touches.
struct ImpressionStore: Equatable {
    var maxCount: Int
    var maxAge: Double
    /// Impressions in issue order; `chunks[0][head...]` and the later chunks are live.
    private var chunks: [[Impression]] = []
    private var head = 0
    /// Live impressions.
    private(set) var count = 0
    /// The newest id issued; ids are 1, 2, 3, …
    private(set) var newestIssued: UInt64 = 0
    /// Impressions a chunk holds: a copy after a snapshot copies at most this many.
    static let chunkSize = 512

    init(maxCount: Int, maxAge: Double) {
        self.maxCount = maxCount
        self.maxAge = maxAge
    }

    /// Impressions in issue order.
    var inOrder: [Impression] {
        guard let first = chunks.first else { return [] }
        return Array(first[head...]) + chunks.dropFirst().joined()
    }

    /// Adds an impression whose id is newer than every id issued, evicting by
    /// count and by age (measured at the new impression's time).
    mutating func insert(_ impression: Impression) throws {
        guard impression.id > newestIssued else {
            throw RankingError.impressionOutOfOrder(id: impression.id, newestIssued: newestIssued)
        }
        store(impression)
    }

    /// Adds `impression` under the next id, the one after every id issued (the live
    /// RANK path, under the ranker's lock): it cannot be out of order, so it cannot fail.
    mutating func insertNext(_ impression: inout Impression) {
        impression.id = newestIssued + 1
        store(impression)
    }

    private mutating func store(_ impression: Impression) {
        newestIssued = impression.id
        if let last = chunks.indices.last, chunks[last].count < Self.chunkSize {
            chunks[last].append(impression)
        } else {
            chunks.append(Self.chunk(CollectionOfOne(impression)))
        }
        count += 1
        evict(now: impression.time)
    }

    /// The impression `id` as seen at `now`, or the precise reason it cannot take feedback.
    func lookup(_ id: UInt64, now: Double) throws -> Impression {
        guard id != 0, id <= newestIssued else { throw RankingError.unknownImpression(id: id, newestIssued: newestIssued) }
        guard let (c, i) = position(of: id) else { throw RankingError.expiredImpression(id: id, age: nil, maxAge: maxAge) }
        let impression = chunks[c][i]
        let age = now - impression.time
        guard age <= maxAge else { throw RankingError.expiredImpression(id: id, age: age, maxAge: maxAge) }
        return impression
    }

    /// Stores a changed impression in place of the live one with its id (nothing if it has left).
    mutating func replace(_ impression: Impression) {
        guard let (c, i) = position(of: impression.id) else { return }
        chunks[c][i] = impression
    }

    /// Where the live impression `id` is, or nil.
    private func position(of id: UInt64) -> (chunk: Int, index: Int)? {
        guard count > 0 else { return nil }
        // The last chunk whose first live id is at most `id`, then `id` within it.
        var lo = 0, hi = chunks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if chunks[mid][0].id <= id { lo = mid } else { hi = mid - 1 }
        }
        let chunk = chunks[lo]
        var first = lo == 0 ? head : 0, last = chunk.count
        while first < last {
            let mid = (first + last) / 2
            if chunk[mid].id < id { first = mid + 1 } else { last = mid }
        }
        return first < chunk.count && chunk[first].id == id ? (lo, first) : nil
    }

    private mutating func evict(now: Double) {
        while count > 0 {
            let oldest = chunks[0][head]
            if count <= maxCount, now - oldest.time <= maxAge { break }
            count -= 1
            head += 1
            if head == chunks[0].count {
                chunks.removeFirst()
                head = 0
            }
        }
    }

    /// Restores a store from decoded impressions (in issue order).
    init(maxCount: Int, maxAge: Double, newestIssued: UInt64, impressions: [Impression]) {
        self.maxCount = maxCount
        self.maxAge = maxAge
        self.newestIssued = newestIssued
        for start in stride(from: 0, to: impressions.count, by: Self.chunkSize) {
            chunks.append(Self.chunk(impressions[start..<min(start + Self.chunkSize, impressions.count)]))
        }
        count = impressions.count
    }

    /// A chunk holding `impressions`, with room for ``chunkSize``.
    private static func chunk(_ impressions: some Sequence<Impression>) -> [Impression] {
        var chunk: [Impression] = []
        chunk.reserveCapacity(chunkSize)
        chunk.append(contentsOf: impressions)
        return chunk
    }

    static func == (a: ImpressionStore, b: ImpressionStore) -> Bool {
        a.maxCount == b.maxCount && a.maxAge == b.maxAge && a.newestIssued == b.newestIssued && a.inOrder == b.inOrder
    }
}

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
struct ImpressionStore: Equatable {
    var maxCount: Int
    var maxAge: Double
    private(set) var byID: [UInt64: Impression] = [:]
    /// Ids in issue order; `order[head...]` are live or already removed.
    private var order: [UInt64] = []
    private var head = 0
    /// The newest id issued; ids are 1, 2, 3, …
    private(set) var newestIssued: UInt64 = 0

    init(maxCount: Int, maxAge: Double) {
        self.maxCount = maxCount
        self.maxAge = maxAge
    }

    var count: Int { byID.count }

    /// Impressions in issue order.
    var inOrder: [Impression] { order[head...].compactMap { byID[$0] } }

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
        byID[impression.id] = impression
        order.append(impression.id)
        evict(now: impression.time)
    }

    /// Marks `id` as issued without storing anything (a ranking with no candidates).
    mutating func skip(to id: UInt64) { newestIssued = max(newestIssued, id) }

    /// The impression `id` as seen at `now`, or the precise reason it cannot take feedback.
    func lookup(_ id: UInt64, now: Double) throws -> Impression {
        guard id != 0, id <= newestIssued else { throw RankingError.unknownImpression(id: id, newestIssued: newestIssued) }
        guard let impression = byID[id] else { throw RankingError.expiredImpression(id: id, age: nil, maxAge: maxAge) }
        let age = now - impression.time
        guard age <= maxAge else { throw RankingError.expiredImpression(id: id, age: age, maxAge: maxAge) }
        return impression
    }

    mutating func replace(_ impression: Impression) { byID[impression.id] = impression }

    private mutating func evict(now: Double) {
        while head < order.count {
            let id = order[head]
            if let oldest = byID[id], byID.count <= maxCount, now - oldest.time <= maxAge { break }
            byID[id] = nil
            head += 1
        }
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Restores a store from decoded impressions (in issue order).
    init(maxCount: Int, maxAge: Double, newestIssued: UInt64, impressions: [Impression]) {
        self.maxCount = maxCount
        self.maxAge = maxAge
        self.newestIssued = newestIssued
        for impression in impressions {
            byID[impression.id] = impression
            order.append(impression.id)
        }
    }

    static func == (a: ImpressionStore, b: ImpressionStore) -> Bool {
        a.maxCount == b.maxCount && a.maxAge == b.maxAge && a.newestIssued == b.newestIssued && a.inOrder == b.inOrder
    }
}

/// A group's outcome history: weighted counts of resolved and not-resolved
/// outcomes, read as a Beta(1 + successes, 1 + failures) posterior.
public struct OutcomeHistory: Sendable, Equatable, Codable {
    /// Weighted count of outcomes that resolved the question with this group.
    public var successes: Double = 0
    /// Weighted count of outcomes that did not.
    public var failures: Double = 0

    public init(successes: Double = 0, failures: Double = 0) {
        self.successes = successes
        self.failures = failures
    }

    /// successes + failures.
    public var total: Double { successes + failures }

    /// Mean of the Beta(1 + s, 1 + f) posterior: 0.5 with no history.
    public var posteriorMean: Double { (successes + 1) / (total + 2) }

    /// Adds a change, never letting a count go below zero.
    mutating func add(_ delta: OutcomeHistory) {
        successes = max(0, successes + delta.successes)
        failures = max(0, failures + delta.failures)
    }
}

/// Every group's outcome history, keyed by group id.
///
/// Open addressing with a multiplicative hash, kept at most half full: a
/// ranking reads one history per candidate group under the ranker's lock, and
/// this lookup is several times cheaper than `Dictionary`'s seeded SipHash.
/// Histories are never removed.
struct HistoryTable: Equatable {
    private var keys: [UInt64]
    private var values: [OutcomeHistory]
    private var used: [Bool]
    private var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 64) {
        var bits: UInt64 = 6
        while (1 << bits) < 2 * minimumCapacity { bits += 1 }
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [OutcomeHistory](repeating: OutcomeHistory(), count: 1 << bits)
        used = [Bool](repeating: false, count: 1 << bits)
        shift = 64 - bits
    }

    /// The group's history; empty when it has none.
    subscript(group: UInt64) -> OutcomeHistory {
        let i = index(of: group)
        return used[i] ? values[i] : OutcomeHistory()
    }

    /// Adds `delta` to the group's history (counts never go below zero).
    mutating func add(_ delta: OutcomeHistory, to group: UInt64) {
        var i = index(of: group)
        if !used[i] {
            if 2 * (count + 1) > keys.count {
                grow()
                i = index(of: group)
            }
            used[i] = true
            keys[i] = group
            values[i] = OutcomeHistory()
            count += 1
        }
        values[i].add(delta)
    }

    /// (group, history) pairs in increasing group order, for encoding.
    var sorted: [(group: UInt64, history: OutcomeHistory)] {
        keys.indices.filter { used[$0] }.map { (keys[$0], values[$0]) }.sorted { $0.group < $1.group }
    }

    static func == (a: HistoryTable, b: HistoryTable) -> Bool {
        a.count == b.count && a.sorted.elementsEqual(b.sorted) { $0.group == $1.group && $0.history == $1.history }
    }

    /// The slot holding `group`, or the empty slot where it would go.
    private func index(of group: UInt64) -> Int {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (group &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while used[i] && keys[i] != group { i = (i + 1) & mask }
        return i
    }

    private mutating func grow() {
        let old = zip(keys, values).enumerated().filter { used[$0.offset] }.map(\.element)
        self = HistoryTable(minimumCapacity: keys.count)
        for (group, history) in old { add(history, to: group) }
    }
}

import Primitives

/// A map from group id to a value: open addressing with the process's seeded
/// ``KeyHash`` (group ids are a client's to choose), kept at most half full,
/// entries never removed.
///
/// Used where a ranking touches one entry per candidate group — gathering a
/// request's hits by group, and reading outcome histories under the ranker's
/// lock — because it is several times cheaper than `Dictionary`'s
/// SipHash for integer keys, and iterates in a stable order when sorted.
struct GroupTable<Value: Equatable>: Equatable {
    private var keys: [UInt64]
    private var values: [Value?]
    private var shift: UInt64
    private let seed = KeyHash.processSeed
    private(set) var count = 0

    init(minimumCapacity: Int = 32) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * minimumCapacity { bits += 1 }
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [Value?](repeating: nil, count: 1 << bits)
        shift = 64 - bits
    }

    subscript(group: UInt64) -> Value? { values[index(of: group)] }

    /// The group's value, inserting `make()` first when it has none.
    mutating func value(for group: UInt64, insertingIfAbsent make: @autoclosure () -> Value) -> Value {
        let i = slot(for: group, make)
        return values[i]!
    }

    /// Changes the group's value in place, starting from `make()` when it has none.
    mutating func modify(_ group: UInt64, default make: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        let i = slot(for: group, make)
        change(&values[i]!)
    }

    /// (group, value) pairs in increasing group order.
    var sorted: [(group: UInt64, value: Value)] {
        keys.indices.compactMap { i in values[i].map { (keys[i], $0) } }.sorted { $0.group < $1.group }
    }

    static func == (a: GroupTable, b: GroupTable) -> Bool {
        a.count == b.count && a.sorted.elementsEqual(b.sorted) { $0.group == $1.group && $0.value == $1.value }
    }

    private mutating func slot(for group: UInt64, _ make: () -> Value) -> Int {
        var i = index(of: group)
        if values[i] == nil {
            if 2 * (count + 1) > keys.count {
                grow()
                i = index(of: group)
            }
            keys[i] = group
            values[i] = make()
            count += 1
        }
        return i
    }

    /// The slot holding `group`, or the empty slot where it would go.
    private func index(of group: UInt64) -> Int {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: KeyHash.mix(group, seed: seed) >> shift)
        while values[i] != nil && keys[i] != group { i = (i + 1) & mask }
        return i
    }

    private mutating func grow() {
        let old = sorted
        self = GroupTable(minimumCapacity: keys.count)
        for (group, value) in old { _ = self.value(for: group, insertingIfAbsent: value) }
    }
}

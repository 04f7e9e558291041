/// Marks of the nodes one search has visited, reset in O(1).
///
/// Each slot holds the epoch of the search that last visited it; a new search
/// bumps the epoch, so nothing is cleared except once every 65,535 searches.
/// Sets are pooled (`VisitedSetPool`) so concurrent searches never share one.
final class VisitedSet {
    private(set) var marks: UnsafeMutablePointer<UInt16>
    private(set) var capacity: Int
    private var epoch: UInt16 = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1024)
        marks = .allocate(capacity: self.capacity)
        marks.initialize(repeating: 0, count: self.capacity)
    }

    deinit { marks.deallocate() }

    /// Starts a new search over `nodeCount` nodes; returns the epoch to mark with.
    func begin(nodeCount: Int) -> UInt16 {
        if nodeCount > capacity {
            let newCapacity = max(nodeCount, capacity * 2)
            marks.deallocate()
            marks = .allocate(capacity: newCapacity)
            marks.initialize(repeating: 0, count: newCapacity)
            capacity = newCapacity
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            marks.update(repeating: 0, count: capacity)
            epoch = 1
        }
        return epoch
    }
}

/// A node and its distance to the query, as the graph search passes them around.
@usableFromInline
struct Candidate {
    @usableFromInline var distance: Float
    @usableFromInline var slot: UInt32
    @inlinable init(distance: Float, slot: UInt32) {
        self.distance = distance
        self.slot = slot
    }
}

/// A binary heap of candidates on memory it owns, with no bounds checks or ARC
/// in the hot loop. `farthestFirst` makes it a max-heap (the result list `W`),
/// otherwise it is a min-heap (the candidate list `C`).
@usableFromInline
struct CandidateHeap {
    @usableFromInline var storage: UnsafeMutablePointer<Candidate>
    @usableFromInline var capacity: Int
    @usableFromInline var count: Int = 0
    @usableFromInline let farthestFirst: Bool

    init(capacity: Int, farthestFirst: Bool) {
        self.capacity = max(capacity, 16)
        self.storage = .allocate(capacity: self.capacity)
        self.farthestFirst = farthestFirst
    }

    func deallocate() { storage.deallocate() }

    @inlinable @inline(__always)
    var isEmpty: Bool { count == 0 }

    @inlinable @inline(__always)
    var top: Candidate { storage[0] }

    @inlinable @inline(__always)
    mutating func removeAll() { count = 0 }

    /// True when `a` belongs above `b`.
    @inlinable @inline(__always)
    func above(_ a: Float, _ b: Float) -> Bool {
        farthestFirst ? a > b : a < b
    }

    @inlinable
    mutating func push(_ c: Candidate) {
        if count == capacity { grow() }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !above(c.distance, storage[parent].distance) { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = c
    }

    @inlinable
    @discardableResult
    mutating func pop() -> Candidate {
        let result = storage[0]
        count -= 1
        if count > 0 {
            let last = storage[count]
            var i = 0
            while true {
                var child = 2 * i + 1
                if child >= count { break }
                if child + 1 < count && above(storage[child + 1].distance, storage[child].distance) { child += 1 }
                if !above(storage[child].distance, last.distance) { break }
                storage[i] = storage[child]
                i = child
            }
            storage[i] = last
        }
        return result
    }

    @usableFromInline
    mutating func grow() {
        let bigger = UnsafeMutablePointer<Candidate>.allocate(capacity: capacity * 2)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    /// The contents sorted nearest first; empties the heap.
    mutating func drainNearestFirst() -> [Candidate] {
        var out = [Candidate]()
        out.reserveCapacity(count)
        for i in 0..<count { out.append(storage[i]) }
        count = 0
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
        return out
    }
}

import Primitives

/// Everything one search (or one insertion) needs to work without allocating:
/// the two heaps, a visited set, a buffer to copy a link list into, and room
/// for the prepared query. Pooled; one search borrows one.
final class SearchScratch {
    var candidates: CandidateHeap
    var results: CandidateHeap
    let visited: VisitedSet
    let links: UnsafeMutablePointer<UInt32>
    /// The query as the distance kernels want it (normalised, scaled, or decoded).
    let query: UnsafeMutablePointer<Float>
    /// A second vector's worth of room (decoding a node for node-to-node distances).
    let query2: UnsafeMutablePointer<Float>

    init(dimension: Int, maxLinks: Int, nodeCount: Int) {
        candidates = CandidateHeap(capacity: 256, farthestFirst: false)
        results = CandidateHeap(capacity: 256, farthestFirst: true)
        visited = VisitedSet(capacity: nodeCount)
        links = .allocate(capacity: maxLinks + 1)
        query = .allocate(capacity: dimension)
        query2 = .allocate(capacity: dimension)
    }

    deinit {
        candidates.deallocate()
        results.deallocate()
        links.deallocate()
        query.deallocate()
        query2.deallocate()
    }
}

/// A lock-protected stack of scratch spaces.
final class ScratchPool: @unchecked Sendable {
    private var free: [SearchScratch] = []
    private let lock = Locked<Void>()

    func borrow(dimension: Int, maxLinks: Int, nodeCount: Int) -> SearchScratch {
        if let s = lock.withLock({ free.popLast() }) { return s }
        return SearchScratch(dimension: dimension, maxLinks: maxLinks, nodeCount: nodeCount)
    }

    func giveBack(_ s: SearchScratch) {
        lock.withLock { free.append(s) }
    }
}

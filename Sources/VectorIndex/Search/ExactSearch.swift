import CSupport

/// Brute-force k-NN with BLAS: a blocked `cblas_sgemm` of the query batch
/// against the stored vectors, then a top-k selection per query.
///
/// The reference for recall, the path for tiny collections, and the answer
/// to filters so selective that a graph walk would visit most of the graph.
struct ExactSearch {
    /// Vectors scored per `sgemm` call.
    static let blockSize = 2048
    /// Queries scored per `sgemm` call: 128 × 2048 scores = 1 MiB.
    static let queryChunk = 128

    /// The `k` nearest accepted slots to each of `queryCount` queries (row-major,
    /// already normalised), nearest first. `slots`, when given, limits the
    /// scan to those slots (a tag's posting list); otherwise every slot is scanned.
    static func search(
        graph: HNSWGraph, queries: UnsafePointer<Float>, queryCount: Int, k: Int,
        accept: Acceptance, slots: [UInt32]? = nil
    ) -> [[Candidate]] {
        let dim = graph.layout.dimension
        let total = slots?.count ?? Int(graph.slotCount)
        var heaps = (0..<queryCount).map { _ in CandidateHeap(capacity: k + 1, farthestFirst: true) }
        defer { for h in heaps { h.deallocate() } }
        guard total > 0 && queryCount > 0 else { return Array(repeating: [], count: queryCount) }

        let block = min(blockSize, total)
        // Queries go through in chunks so one chunk's scores (chunk × block floats) stay in L2.
        let chunk = min(queryCount, queryChunk)
        let scratch = BlockScratch(block: block, chunk: chunk, dimension: dim)
        defer { scratch.deallocate() }
        var queryNorms = [Float](repeating: 0, count: queryCount)
        if graph.isL2 {
            for q in 0..<queryCount {
                queryNorms[q] = graph.kernels.dot(queries + q * dim, queries + q * dim, dim)
            }
        }

        var start = 0
        while start < total {
            let n = min(block, total - start)
            let (matrix, lda) = loadBlock(graph: graph, slots: slots, start: start, count: n, scratch: scratch)
            rejectUnreturnable(graph: graph, accept: accept, count: n, scratch: scratch)
            scoreBlock(graph: graph, queries: queries, queryCount: queryCount, queryNorms: queryNorms, k: k,
                       matrix: matrix, lda: lda, count: n, chunk: chunk, scratch: scratch, heaps: &heaps)
            start += n
        }
        return (0..<queryCount).map { heaps[$0].drainNearestFirst() }
    }

    /// The matrix of the `n` vectors from `start`, and its row stride, with
    /// their slots in `scratch.blockSlots` and (for l2) their squared norms in
    /// `scratch.norms`: in place when the f32 vectors are contiguous and we
    /// scan every slot; gathered (or decoded) otherwise.
    @inline(__always)
    private static func loadBlock(graph: HNSWGraph, slots: [UInt32]?, start: Int, count n: Int,
                                  scratch: BlockScratch) -> (UnsafePointer<Float>, Int32) {
        let dim = graph.layout.dimension
        let (gathered, norms, blockSlots) = (scratch.gathered, scratch.norms, scratch.blockSlots)
        var matrix: UnsafePointer<Float>
        var lda: Int32
        for i in 0..<n { blockSlots[i] = slots?[start + i] ?? UInt32(start + i) }
        if slots == nil, let first = graph.fullVector(UInt32(start)) {
            matrix = UnsafePointer(first)
            lda = Int32(graph.layout.storage == .f32 ? graph.layout.stride / 4 : dim)
        } else {
            for i in 0..<n { graph.decode(blockSlots[i], into: gathered + i * dim) }
            matrix = UnsafePointer(gathered)
            lda = Int32(dim)
        }
        if graph.isL2 {
            for i in 0..<n {
                let row = matrix + i * Int(lda)
                norms[i] = graph.kernels.dot(row, row, dim)
            }
        }
        return (matrix, lda)
    }

    /// Marks (as `UInt32.max` in `scratch.blockSlots`) the slots the searcher
    /// may not return: deleted, unlinked, filtered out.
    @inline(__always)
    private static func rejectUnreturnable(graph: HNSWGraph, accept: Acceptance, count n: Int, scratch: BlockScratch) {
        let blockSlots = scratch.blockSlots
        for i in 0..<n {
            let slot = blockSlots[i]
            if graph.flags(slot) & NodeFlags.unlinked != 0 { blockSlots[i] = UInt32.max; continue }
            if !accept.acceptsAll && !graph.accepts(slot, accept) { blockSlots[i] = UInt32.max }
        }
    }

    /// Scores one block against every query, `chunk` queries per `sgemm`, and
    /// offers the accepted slots to each query's heap. Most scores lose to the
    /// current k-th best, so the loop compares against a local threshold and
    /// touches the heap rarely.
    @inline(__always)
    private static func scoreBlock(graph: HNSWGraph, queries: UnsafePointer<Float>, queryCount: Int, queryNorms: [Float],
                                   k: Int, matrix: UnsafePointer<Float>, lda: Int32, count n: Int, chunk: Int,
                                   scratch: BlockScratch, heaps: inout [CandidateHeap]) {
        let dim = graph.layout.dimension
        let (scores, norms, blockSlots) = (scratch.scores, scratch.norms, scratch.blockSlots)
        var q0 = 0
        while q0 < queryCount {
            let m = min(chunk, queryCount - q0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(dim),
                        1, queries + q0 * dim, Int32(dim), matrix, lda, 0, scores, Int32(n))
            for q in q0..<(q0 + m) {
                let row = scores + (q - q0) * n
                var heap = heaps[q]
                var worst = heap.count < k ? Float.infinity : heap.top.distance
                let qn = queryNorms[q]
                for i in 0..<n {
                    let dist = graph.isL2 ? qn - 2 * row[i] + norms[i] : 1 - row[i]
                    if dist >= worst || blockSlots[i] == UInt32.max { continue }
                    if heap.count == k { heap.pop() }
                    heap.push(Candidate(distance: dist, slot: blockSlots[i]))
                    if heap.count == k { worst = heap.top.distance }
                }
                heaps[q] = heap
            }
            q0 += m
        }
    }
}

/// The working memory of one exact search, allocated once per call.
private struct BlockScratch {
    /// `chunk × block` scores of one `sgemm`.
    let scores: UnsafeMutablePointer<Float>
    /// `block × dimension` gathered or decoded vectors.
    let gathered: UnsafeMutablePointer<Float>
    /// Squared norms of the block's vectors (l2).
    let norms: UnsafeMutablePointer<Float>
    /// The block's slots; `UInt32.max` marks one the search may not return.
    let blockSlots: UnsafeMutablePointer<UInt32>

    init(block: Int, chunk: Int, dimension dim: Int) {
        scores = .allocate(capacity: block * chunk)
        gathered = .allocate(capacity: block * dim)
        norms = .allocate(capacity: block)
        blockSlots = .allocate(capacity: block)
    }

    func deallocate() {
        scores.deallocate()
        gathered.deallocate()
        norms.deallocate()
        blockSlots.deallocate()
    }
}

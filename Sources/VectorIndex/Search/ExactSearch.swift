import CSupport

/// Brute-force k-NN with BLAS: a blocked `cblas_sgemm` of the query batch
/// against the stored vectors, then a top-k selection per query.
///
/// The reference for recall, the path for tiny collections, and the answer
/// to filters so selective that a graph walk would visit most of the graph.
struct ExactSearch {
    /// Vectors scored per `sgemm` call.
    static let blockSize = 2048

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
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * queryCount)
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: block * dim)
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: block)
        let blockSlots = UnsafeMutablePointer<UInt32>.allocate(capacity: block)
        defer {
            scores.deallocate()
            gathered.deallocate()
            norms.deallocate()
            blockSlots.deallocate()
        }
        var queryNorms = [Float](repeating: 0, count: queryCount)
        if graph.isL2 {
            for q in 0..<queryCount {
                queryNorms[q] = graph.kernels.dot(queries + q * dim, queries + q * dim, dim)
            }
        }

        var start = 0
        while start < total {
            let n = min(block, total - start)
            // The matrix of this block's vectors: in place when the f32 vectors are
            // contiguous and we scan every slot; gathered (or decoded) otherwise.
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
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(queryCount), Int32(n), Int32(dim),
                        1, queries, Int32(dim), matrix, lda, 0, scores, Int32(n))
            if graph.isL2 {
                for i in 0..<n {
                    let row = matrix + i * Int(lda)
                    norms[i] = graph.kernels.dot(row, row, dim)
                }
            }
            for i in 0..<n {
                // Skip what the searcher may not return (deleted, unlinked, filtered out).
                let slot = blockSlots[i]
                if graph.flags(slot) & NodeFlags.unlinked != 0 { blockSlots[i] = UInt32.max; continue }
                if !accept.acceptsAll && !graph.accepts(slot, accept) { blockSlots[i] = UInt32.max }
            }
            for q in 0..<queryCount {
                let row = scores + q * n
                for i in 0..<n where blockSlots[i] != UInt32.max {
                    let dist = graph.isL2 ? queryNorms[q] - 2 * row[i] + norms[i] : 1 - row[i]
                    if heaps[q].count < k {
                        heaps[q].push(Candidate(distance: dist, slot: blockSlots[i]))
                    } else if dist < heaps[q].top.distance {
                        heaps[q].pop()
                        heaps[q].push(Candidate(distance: dist, slot: blockSlots[i]))
                    }
                }
            }
            start += n
        }
        return (0..<queryCount).map { heaps[$0].drainNearestFirst() }
    }
}

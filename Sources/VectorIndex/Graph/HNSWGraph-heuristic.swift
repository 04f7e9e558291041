import CSupport

extension HNSWGraph {
    /// Distance between two stored nodes, in the best precision available.
    ///
    /// With f32 vectors (inline or separate) this is exact; with a compact
    /// storage alone, `a` is decoded into `scratch.query2` first.
    @inline(__always)
    func pairDistance(_ a: UInt32, _ b: UInt32, scratch: SearchScratch) -> Float {
        if let va = fullVector(a), let vb = fullVector(b) {
            return isL2 ? kernels.l2Squared(va, vb, layout.dimension) : 1 - kernels.dot(va, vb, layout.dimension)
        }
        decode(a, into: scratch.query2)
        switch layout.storage {
        case .f32: fatalError("unreachable: f32 storage always has full vectors")
        case .int8: return int8Distance(query: scratch.query2, scratch: scratch.query).distance(to: b)
        case .f16: return f16Distance(query: scratch.query2).distance(to: b)
        }
    }

    /// The f32 vector of a slot, decoded from its code if no f32 copy is kept.
    func decode(_ slot: UInt32, into out: UnsafeMutablePointer<Float>) {
        if let v = fullVector(slot) {
            out.update(from: v, count: layout.dimension)
            return
        }
        let code = node(slot) + layout.codeOffset
        switch layout.storage {
        case .f32:
            out.update(from: code.assumingMemoryBound(to: Float.self), count: layout.dimension)
        case .int8:
            quantizer!.decode(code.assumingMemoryBound(to: UInt8.self), into: out, dimension: layout.dimension)
        case .f16:
            ld_f16_to_f32(code.assumingMemoryBound(to: UInt16.self), out, layout.dimension)
        }
    }

    /// SELECT-NEIGHBORS-HEURISTIC (algorithm 4, without extending candidates or
    /// keeping pruned ones, as hnswlib does): walks `candidates` nearest first
    /// and keeps one only if it is closer to the base than to every neighbour
    /// kept so far, so links spread in different directions.
    ///
    /// - Parameter candidates: distances to the base node, sorted nearest first.
    func selectNeighbors(_ candidates: [Candidate], max m: Int, scratch: SearchScratch) -> [Candidate] {
        if candidates.count <= m { return candidates }
        var selected: [Candidate] = []
        selected.reserveCapacity(m)
        let exact = layout.storage == .f32 || full != nil
        for e in candidates {
            if selected.count >= m { break }
            var keep = true
            if exact || selected.isEmpty {
                for r in selected where pairDistance(e.slot, r.slot, scratch: scratch) < e.distance {
                    keep = false
                    break
                }
            } else {
                // Codes only: decode `e` once and score every kept neighbour against it.
                keep = !closerToAny(e, selected, scratch: scratch)
            }
            if keep { selected.append(e) }
        }
        return selected
    }

    /// Whether any of `kept` is closer to `e` than the base is, with `e` decoded once.
    private func closerToAny(_ e: Candidate, _ kept: [Candidate], scratch: SearchScratch) -> Bool {
        decode(e.slot, into: scratch.query2)
        switch layout.storage {
        case .f32:
            return kept.contains { pairDistance(e.slot, $0.slot, scratch: scratch) < e.distance }
        case .int8:
            let d = int8Distance(query: scratch.query2, scratch: scratch.query)
            return kept.contains { d.distance(to: $0.slot) < e.distance }
        case .f16:
            let d = f16Distance(query: scratch.query2)
            return kept.contains { d.distance(to: $0.slot) < e.distance }
        }
    }
}

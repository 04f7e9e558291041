import CSupport

/// What a layer search may put in its result list.
struct Acceptance {
    /// Leave tombstoned nodes out of the results (they are still traversed).
    var skipDeleted: Bool
    var filter: CompiledFilter?

    static let everything = Acceptance(skipDeleted: false, filter: nil)
    static let live = Acceptance(skipDeleted: true, filter: nil)

    var acceptsAll: Bool { !skipDeleted && filter == nil }
}

extension HNSWGraph {
    /// Greedy descent with `ef = 1` through layers `fromLevel … downTo + 1`.
    @inline(__always)
    func greedyDescend<D: DistanceSource>(
        _ d: D, from start: Candidate, fromLevel: Int, downTo target: Int, scratch: SearchScratch
    ) -> Candidate {
        var current = start
        var level = fromLevel
        let visibleSlots = slotCount
        while level > target {
            var changed = true
            while changed {
                changed = false
                let n = readLinks(current.slot, level: level, into: scratch.links)
                for i in 0..<n {
                    let s = scratch.links[i]
                    if s >= visibleSlots { continue }
                    let dist = d.distance(to: s)
                    if dist < current.distance {
                        current = Candidate(distance: dist, slot: s)
                        changed = true
                    }
                }
            }
            level -= 1
        }
        return current
    }

    /// SEARCH-LAYER (Malkov & Yashunin, algorithm 2) from one entry point.
    ///
    /// Leaves at most `ef` accepted nodes in `scratch.results` (farthest on top).
    /// Nodes that are not accepted (deleted, filtered out) are still expanded,
    /// so the graph stays navigable through them.
    @inline(__always)
    func searchLayer<D: DistanceSource>(
        _ d: D, entry: Candidate, ef: Int, level: Int, scratch: SearchScratch, accept: Acceptance
    ) {
        let visibleSlots = slotCount
        let epoch = scratch.visited.begin(nodeCount: Int(visibleSlots))
        let marks = scratch.visited.marks
        let markCapacity = UInt32(truncatingIfNeeded: min(scratch.visited.capacity, Int(UInt32.max)))
        let links = scratch.links
        // The heaps live in locals for the loop: touching a class's `var` costs a
        // dynamic exclusivity check each time, and this loop touches them per neighbour.
        var candidates = scratch.candidates
        var results = scratch.results
        defer {
            scratch.candidates = candidates
            scratch.results = results
        }
        candidates.removeAll()
        results.removeAll()
        let checkAll = accept.acceptsAll

        marks[Int(entry.slot)] = epoch
        candidates.push(entry)
        var lowerBound = Float.infinity
        if checkAll || accepts(entry.slot, accept) {
            results.push(entry)
            lowerBound = entry.distance
        }

        while !candidates.isEmpty {
            let current = candidates.top
            if current.distance > lowerBound && results.count >= ef { break }
            candidates.pop()

            let n = readLinks(current.slot, level: level, into: links)
            if n > 0 {
                ld_prefetch(marks + Int(links[0]))
                d.prefetch(links[0])
            }
            for i in 0..<n {
                let s = links[i]
                if i + 1 < n {
                    let next = links[i + 1]
                    ld_prefetch(marks + Int(next))
                    d.prefetch(next)
                }
                if s >= visibleSlots || s >= markCapacity || marks[Int(s)] == epoch { continue }
                marks[Int(s)] = epoch
                let dist = d.distance(to: s)
                if results.count < ef || dist < lowerBound {
                    candidates.push(Candidate(distance: dist, slot: s))
                    if checkAll || accepts(s, accept) {
                        results.push(Candidate(distance: dist, slot: s))
                        if results.count > ef { results.pop() }
                    }
                    if !results.isEmpty { lowerBound = results.top.distance }
                }
            }
        }
    }

    @inline(__always)
    func accepts(_ slot: UInt32, _ accept: Acceptance) -> Bool {
        if accept.skipDeleted && isDeleted(slot) { return false }
        if let f = accept.filter, !f.accepts(tags(slot)) { return false }
        return true
    }

    /// K-NN-SEARCH (algorithm 5): the `ef` best accepted nodes, nearest first.
    ///
    /// `query` is already normalised for cosine. With a compact storage and f32
    /// copies, the `ef` candidates are re-ranked in f32 before returning.
    func search(query: UnsafePointer<Float>, ef: Int, accept: Acceptance) -> [Candidate] {
        guard let e = entry else { return [] }
        let scratch = borrowScratch()
        defer { scratchPool.giveBack(scratch) }
        var found: [Candidate]
        switch layout.storage {
        case .f32:
            let d = f32Distance(query: query)
            found = run(d, entry: e, ef: ef, scratch: scratch, accept: accept)
        case .int8:
            let d = int8Distance(query: query, scratch: scratch.query)
            found = run(d, entry: e, ef: ef, scratch: scratch, accept: accept)
        case .f16:
            let d = f16Distance(query: query)
            found = run(d, entry: e, ef: ef, scratch: scratch, accept: accept)
        }
        if layout.storage != .f32 && full != nil {
            let exact = f32Distance(query: query)
            for i in found.indices { found[i].distance = exact.distance(to: found[i].slot) }
            found.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
        }
        return found
    }

    @inline(__always)
    private func run<D: DistanceSource>(
        _ d: D, entry e: (slot: UInt32, level: Int), ef: Int, scratch: SearchScratch, accept: Acceptance
    ) -> [Candidate] {
        let start = Candidate(distance: d.distance(to: e.slot), slot: e.slot)
        let nearest = greedyDescend(d, from: start, fromLevel: e.level, downTo: 0, scratch: scratch)
        searchLayer(d, entry: nearest, ef: ef, level: 0, scratch: scratch, accept: accept)
        return scratch.results.drainNearestFirst()
    }

    func borrowScratch() -> SearchScratch {
        scratchPool.borrow(dimension: layout.dimension, maxLinks: max(layout.maxM0, layout.M), nodeCount: Int(slotCount))
    }

    // MARK: - Distance sources

    /// Distances in f32 over the best f32 copy available (inline or separate).
    func f32Distance(query: UnsafePointer<Float>) -> F32Distance {
        if layout.storage == .f32 {
            return F32Distance(query: query, base: UnsafeRawPointer(nodes.base), stride: layout.stride,
                               offset: layout.codeOffset, dimension: layout.dimension, isL2: isL2, kernels: kernels)
        }
        return F32Distance(query: query, base: UnsafeRawPointer(full!.base), stride: layout.dimension * 4,
                           offset: 0, dimension: layout.dimension, isL2: isL2, kernels: kernels)
    }

    /// Asymmetric distances to u8 codes; writes the scaled query into `scratch`.
    func int8Distance(query: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> Int8Distance {
        let q = quantizer!
        var offset: Float = 0
        var norm: Float = 0
        for i in 0..<layout.dimension {
            scratch[i] = query[i] * q.step[i]
            offset += query[i] * q.low[i]
            norm += query[i] * query[i]
        }
        return Int8Distance(scaledQuery: scratch, offsetDot: offset, queryNorm: norm, base: UnsafeRawPointer(nodes.base),
                            stride: layout.stride, codeOffset: layout.codeOffset, auxOffset: layout.auxOffset,
                            dimension: layout.dimension, isL2: isL2, kernels: kernels)
    }

    func f16Distance(query: UnsafePointer<Float>) -> F16Distance {
        var norm: Float = 0
        if isL2 { norm = kernels.dot(query, query, layout.dimension) }
        return F16Distance(query: query, queryNorm: norm, base: UnsafeRawPointer(nodes.base), stride: layout.stride,
                           codeOffset: layout.codeOffset, auxOffset: layout.auxOffset, dimension: layout.dimension,
                           isL2: isL2, kernels: kernels)
    }
}

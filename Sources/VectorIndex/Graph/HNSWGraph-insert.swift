import CSupport

extension HNSWGraph {
    /// Reserves the next slot (writer only). Returns nil when the index is full.
    func allocateSlot() -> UInt32? {
        if let s = freeSlots.popLast() { return s }
        let s = Int(slotCount)
        guard s < capacity else { return nil }
        let needNodes = (s + 1) * layout.stride
        let needMeta = (s + 1) * MemoryLayout<NodeMeta>.stride
        guard nodes.commit(upTo: needNodes), metas.commit(upTo: needMeta) else { return nil }
        if let full, !full.commit(upTo: (s + 1) * layout.dimension * 4) { return nil }
        meta(UInt32(s)).initialize(to: NodeMeta(label: 0, upper: 0, tags: 0, level: 0, flags: 0))
        ld_store_release_u32(slotCountWord, UInt32(s + 1))
        return UInt32(s)
    }

    /// Returns a slot's upper links and tags to their arenas (writer only).
    func freeLists(of slot: UInt32) {
        let m = meta(slot)
        if m.pointee.upper != 0 {
            upperArena.free(m.pointee.upper - 1, words: Int(m.pointee.level) * layout.upperLayerWords)
            m.pointee.upper = 0
        }
        if m.pointee.tags != 0 {
            let offset = UInt64(m.pointee.tags - 1)
            tagArena.free(offset, words: Int(tagArena.pointer(offset).pointee) + 1)
            m.pointee.tags = 0
        }
    }

    /// Writes a node's vector, label, tags and level into its (unlinked) slot.
    ///
    /// `vector` is already validated and normalised. Nothing links to the slot
    /// yet, so no reader can see it half-written.
    /// - Returns: false when the tag arena is full (the slot is left empty).
    func prepareNode(slot: UInt32, label: UInt64, vector: UnsafePointer<Float>, tags: [UInt32], level requested: Int) -> Bool {
        let n = node(slot)
        n.initializeMemory(as: UInt8.self, repeating: 0, count: layout.stride)
        let m = meta(slot)
        freeLists(of: slot)
        var tagList: UInt32 = 0
        if !tags.isEmpty {
            guard let offset = tagArena.allocate(words: tags.count + 1) else { return false }
            let p = tagArena.pointer(offset)
            p[0] = UInt32(tags.count)
            for (i, t) in tags.sorted().enumerated() { p[i + 1] = t }
            tagList = UInt32(offset + 1)
        }
        // The upper arena reserves four times the expected need; should it still run
        // out, the node lives on layer 0 only, which costs a little speed, not recall.
        var level = requested
        var upper: UInt64 = 0
        if level > 0 {
            if let offset = upperArena.allocate(words: level * layout.upperLayerWords) {
                upper = offset + 1
            } else {
                level = 0
            }
        }
        m.pointee = NodeMeta(label: label, upper: upper, tags: tagList, level: UInt16(level), flags: 0)

        let dim = layout.dimension
        if let f = fullVector(slot), layout.storage != .f32 {
            f.update(from: vector, count: dim)
        }
        let code = n + layout.codeOffset
        switch layout.storage {
        case .f32:
            code.assumingMemoryBound(to: Float.self).update(from: vector, count: dim)
        case .f16:
            ld_f32_to_f16(vector, code.assumingMemoryBound(to: UInt16.self), dim)
        case .int8:
            quantizer!.encode(vector, into: code.assumingMemoryBound(to: UInt8.self), dimension: dim)
        }
        if layout.hasAux {
            // ‖x̂‖² of the *stored* (reconstructed) vector, so L2 through the code is consistent.
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: dim)
            defer { tmp.deallocate() }
            switch layout.storage {
            case .f16: ld_f16_to_f32(code.assumingMemoryBound(to: UInt16.self), tmp, dim)
            case .int8: quantizer!.decode(code.assumingMemoryBound(to: UInt8.self), into: tmp, dimension: dim)
            case .f32: break
            }
            n.storeBytes(of: kernels.dot(tmp, tmp, dim), toByteOffset: layout.auxOffset, as: Float.self)
        }
        return true
    }

    /// INSERT (algorithm 1): links a prepared node into the graph.
    ///
    /// Safe to call from several threads at once for different slots.
    func link(slot: UInt32) {
        let level = Int(meta(slot).pointee.level)
        let scratch = borrowScratch()
        defer { scratchPool.giveBack(scratch) }
        if layout.storage == .f32 {
            let v = fullVector(slot)!
            link(slot: slot, level: level, f32Distance(query: v), rerank: nil as F32Distance?, scratch: scratch)
        } else if let v = fullVector(slot), buildOnCodes {
            // Walk the graph on the compact codes (a quarter or half of the memory
            // traffic), then judge the candidates found with exact f32 distances:
            // the neighbours chosen are the ones an f32 build would choose from them.
            let exact = f32Distance(query: v)
            switch layout.storage {
            case .f32: fatalError("unreachable")
            case .int8:
                let scaled = UnsafeMutablePointer<Float>.allocate(capacity: layout.dimension)
                defer { scaled.deallocate() }
                link(slot: slot, level: level, int8Distance(query: v, scratch: scaled), rerank: exact, scratch: scratch)
            case .f16:
                link(slot: slot, level: level, f16Distance(query: v), rerank: exact, scratch: scratch)
            }
        } else if let v = fullVector(slot) {
            link(slot: slot, level: level, f32Distance(query: v), rerank: nil as F32Distance?, scratch: scratch)
        } else {
            let q = UnsafeMutablePointer<Float>.allocate(capacity: layout.dimension)
            defer { q.deallocate() }
            decode(slot, into: q)
            switch layout.storage {
            case .f32: fatalError("unreachable: f32 storage always has full vectors")
            case .int8:
                let scaled = UnsafeMutablePointer<Float>.allocate(capacity: layout.dimension)
                defer { scaled.deallocate() }
                link(slot: slot, level: level, int8Distance(query: q, scratch: scaled), rerank: nil as F32Distance?, scratch: scratch)
            case .f16:
                link(slot: slot, level: level, f16Distance(query: q), rerank: nil as F32Distance?, scratch: scratch)
            }
        }
    }

    private func link<D: DistanceSource, E: DistanceSource>(slot: UInt32, level: Int, _ d: D, rerank: E?, scratch: SearchScratch) {
        // An insertion that may raise the top level holds the entry lock throughout,
        // so the entry point never names a node whose upper links are not written yet.
        var holdsEntryLock = false
        if let e = entry, level > e.level {
            entryLock.lock()
            holdsEntryLock = true
        } else if entry == nil {
            entryLock.lock()
            holdsEntryLock = true
        }
        defer { if holdsEntryLock { entryLock.unlock() } }

        guard let e = entry else {
            setEntry(slot: slot, level: level)
            return
        }
        var current = Candidate(distance: d.distance(to: e.slot), slot: e.slot)
        if level < e.level {
            current = greedyDescend(d, from: current, fromLevel: e.level, downTo: level, scratch: scratch)
        }
        var lc = min(level, e.level)
        while lc >= 0 {
            let accept: Acceptance = tombstoneCount == 0 ? .everything : .live
            searchLayer(d, entry: current, ef: parameters.efConstruction, level: lc, scratch: scratch, accept: accept)
            var found = scratch.results.drainNearestFirst()
            found.removeAll { $0.slot == slot }
            if let rerank {
                for i in found.indices { found[i].distance = rerank.distance(to: found[i].slot) }
                found.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
            }
            if found.isEmpty {
                // Everything reachable is deleted: link through the entry anyway so the node is reachable.
                found = [current]
            }
            let neighbours = selectNeighbors(found, max: parameters.M, scratch: scratch)
            setOwnLinks(slot: slot, level: lc, neighbours, scratch: scratch)
            let maxLinks = lc == 0 ? layout.maxM0 : layout.M
            for n in neighbours {
                addReverseLink(from: n.slot, to: slot, distance: n.distance, level: lc, maxLinks: maxLinks, scratch: scratch)
            }
            current = Candidate(distance: d.distance(to: found[0].slot), slot: found[0].slot)
            lc -= 1
        }
        if level > e.level {
            setEntry(slot: slot, level: level)
        }
    }

    /// Writes the new node's links at `level`, merging any link another
    /// concurrent insertion already added to it.
    private func setOwnLinks(slot: UInt32, level: Int, _ neighbours: [Candidate], scratch: SearchScratch) {
        let maxLinks = level == 0 ? layout.maxM0 : layout.M
        let lock = seq(slot)
        ld_seq_lock(lock)
        defer { ld_seq_unlock(lock) }
        let list = linkList(slot, level: level)
        let existing = Int(list.pointee)
        var chosen = neighbours.map(\.slot)
        if existing > 0 {
            for i in 0..<existing where !chosen.contains(list[1 + i]) && list[1 + i] != slot {
                chosen.append(list[1 + i])
            }
            if chosen.count > maxLinks {
                let cands = chosen.map { Candidate(distance: pairDistance(slot, $0, scratch: scratch), slot: $0) }
                    .sorted { $0.distance < $1.distance }
                chosen = selectNeighbors(cands, max: maxLinks, scratch: scratch).map(\.slot)
            }
        }
        for (i, s) in chosen.enumerated() { list[1 + i] = s }
        list.pointee = UInt32(chosen.count)
    }

    /// Adds `to` to the links of `from`, shrinking with the heuristic when full.
    ///
    /// The new list is computed outside the node's lock and written only if the
    /// list did not change meanwhile, so readers never wait on a heuristic.
    func addReverseLink(from: UInt32, to: UInt32, distance: Float, level: Int, maxLinks: Int, scratch: SearchScratch) {
        let lock = seq(from)
        let list = linkList(from, level: level)
        while true {
            let begin = ld_seq_read_begin(lock)
            let count = min(Int(list.pointee), maxLinks)
            var current = [UInt32](unsafeUninitializedCapacity: count) { buf, n in
                for i in 0..<count { buf[i] = list[1 + i] }
                n = count
            }
            guard ld_seq_read_valid(lock, begin) != 0 else { continue }
            if current.contains(to) { return }
            var replacement: [UInt32]
            if count < maxLinks {
                current.append(to)
                replacement = current
            } else {
                var cands = current.map { Candidate(distance: pairDistance(from, $0, scratch: scratch), slot: $0) }
                cands.append(Candidate(distance: distance, slot: to))
                cands.sort { $0.distance < $1.distance }
                replacement = selectNeighbors(cands, max: maxLinks, scratch: scratch).map(\.slot)
            }
            ld_seq_lock(lock)
            if lock.pointee != begin + 1 {
                // Someone rewrote the list since we read it: start over from the new list.
                ld_seq_unlock(lock)
                continue
            }
            for (i, s) in replacement.enumerated() { list[1 + i] = s }
            list.pointee = UInt32(replacement.count)
            ld_seq_unlock(lock)
            return
        }
    }
}

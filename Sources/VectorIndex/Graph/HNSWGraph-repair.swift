import CSupport

extension HNSWGraph {
    /// Unlinks tombstoned nodes so deletions do not erode the graph.
    ///
    /// Every live node that links to a deleted one gets its links chosen again,
    /// with the heuristic, among its live neighbours and the live neighbours of
    /// its deleted ones (the repair hnswlib's `updatePoint` does, applied to
    /// deletions). Link lists are rewritten under their sequence locks, so
    /// searches continue meanwhile. Returns the slots that are now unreachable;
    /// the caller frees them once no search can still stand on them.
    func unlinkDeleted(_ deleted: Set<UInt32>) -> [UInt32] {
        guard !deleted.isEmpty else { return [] }
        let scratch = borrowScratch()
        defer { scratchPool.giveBack(scratch) }
        let n = slotCount
        let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: layout.maxM0 + 1)
        let inner = UnsafeMutablePointer<UInt32>.allocate(capacity: layout.maxM0 + 1)
        defer {
            buffer.deallocate()
            inner.deallocate()
        }

        // A new entry point first, if the old one goes.
        if let e = entry, deleted.contains(e.slot) {
            var best: (slot: UInt32, level: Int)? = nil
            for s in 0..<n where !deleted.contains(s) && meta(s).pointee.flags == 0 {
                let l = Int(meta(s).pointee.level)
                if best == nil || l > best!.level { best = (s, l) }
            }
            if let best { setEntry(slot: best.slot, level: best.level) } else { clearEntry() }
        }

        for s in 0..<n where !deleted.contains(s) && meta(s).pointee.flags == 0 {
            let top = Int(meta(s).pointee.level)
            for level in 0...top {
                let count = readLinks(s, level: level, into: buffer)
                var touchesDeleted = false
                for i in 0..<count where deleted.contains(buffer[i]) {
                    touchesDeleted = true
                    break
                }
                if !touchesDeleted { continue }
                var pool = Set<UInt32>()
                for i in 0..<count {
                    let t = buffer[i]
                    if deleted.contains(t) {
                        let m = readLinks(t, level: level, into: inner)
                        for j in 0..<m where !deleted.contains(inner[j]) && inner[j] != s { pool.insert(inner[j]) }
                    } else {
                        pool.insert(t)
                    }
                }
                let cands = pool.map { Candidate(distance: pairDistance(s, $0, scratch: scratch), slot: $0) }
                    .sorted { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
                let maxLinks = level == 0 ? layout.maxM0 : layout.M
                var chosen = selectNeighbors(cands, max: maxLinks, scratch: scratch)
                if chosen.isEmpty, let e = entry, e.slot != s, e.level >= level {
                    // Every neighbour and their neighbours are gone: keep a path to the entry point.
                    chosen = [Candidate(distance: pairDistance(s, e.slot, scratch: scratch), slot: e.slot)]
                }
                let lock = seq(s)
                ld_seq_lock(lock)
                let list = linkList(s, level: level)
                for (i, c) in chosen.enumerated() { list[1 + i] = c.slot }
                list.pointee = UInt32(chosen.count)
                ld_seq_unlock(lock)
            }
        }
        return Array(deleted)
    }

    /// Marks unlinked slots reusable. Call only when no search can be running.
    func release(_ slots: [UInt32]) {
        for s in slots {
            let m = meta(s)
            let top = Int(m.pointee.level)
            let lock = seq(s)
            ld_seq_lock(lock)
            for level in 0...top { linkList(s, level: level).pointee = 0 }
            ld_seq_unlock(lock)
            freeLists(of: s)
            m.pointee.level = 0
            setFlags(s, NodeFlags.deleted | NodeFlags.unlinked)
            freeSlots.append(s)
        }
    }
}

/// Deletes as tombstones, and the repair that frees their slots once they
/// pass `repairThreshold` (docs/VECTOR-INDEX.md, "Deletes, upserts, repair").
extension HNSWIndex {
    /// Marks a slot deleted: never returned again, still routing searches.
    func tombstone(_ slot: UInt32) {
        graph.setFlags(slot, NodeFlags.deleted)
        withBookkeeping {
            tombstones.insert(slot)
            graph.tombstoneCount = UInt32(tombstones.count)
            if let t = graph.tags(slot) {
                for i in 0..<Int(t.pointee) { tagCounts[t[1 + i], default: 1] -= 1 }
            }
        }
    }

    /// Called with the writer lock held.
    func repairIfNeeded() {
        let (dead, live) = withBookkeeping { (tombstones.count, slotOfID.count) }
        if dead > 0 && Double(dead) > repairThreshold * Double(dead + live) { repair() }
    }

    /// Called with the writer lock held.
    func repair() {
        let dead = withBookkeeping { tombstones }
        guard !dead.isEmpty else { return }
        let freed = structure.withShared { graph.unlinkDeleted(dead) }
        // Exclusive for a moment: no search can still stand on a slot we free.
        structure.withExclusive {
            graph.release(freed)
            withBookkeeping {
                tombstones.subtract(freed)
                graph.tombstoneCount = UInt32(tombstones.count)
                let gone = Set(freed)
                for (t, list) in postings { postings[t] = list.filter { !gone.contains($0) } }
            }
        }
    }
}

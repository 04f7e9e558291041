/// How a batch goes in, below `upsertBatch`: every node placed in a slot
/// with its vector, tags and level, then linked into the graph (in parallel
/// for big batches). Both run with the writer lock held.
extension HNSWIndex {
    /// Takes a slot for each row and writes its node (not yet linked), and
    /// counts its tags; returns the slots, in row order, and the slots of the
    /// ids being replaced. When the index is full, releases this batch's
    /// slots and throws `capacityExceeded`.
    func placeNodes(ids: [UInt64], vectors prepared: [Float], tags: [[String]]?) throws -> (slots: [UInt32], replaced: [UInt32]) {
        let dim = parameters.dimension
        // Slots and levels are chosen in order on this thread, so a build is
        // reproducible for a given seed whatever the thread count.
        var slots = [UInt32]()
        slots.reserveCapacity(ids.count)
        var replaced = [UInt32]()
        for (r, id) in ids.enumerated() {
            let tagList = internTags(tags?[r] ?? [])
            let slot = graph.allocateSlot()
            let ok = slot.map { s in
                prepared.withUnsafeBufferPointer { buf in
                    graph.prepareNode(slot: s, label: id, vector: buf.baseAddress! + r * dim,
                                      tags: tagList, level: graph.randomLevel())
                }
            } ?? false
            guard let slot, ok else {
                // Roll back the slots taken by this batch: they are not linked yet.
                var unused = slots
                if let slot { unused.append(slot) }
                for s in unused { graph.setFlags(s, NodeFlags.deleted | NodeFlags.unlinked) }
                graph.freeSlots.append(contentsOf: unused)
                withBookkeeping {
                    for s in slots {
                        for t in graph.tags(s).map({ p in (0..<Int(p[0])).map { p[1 + $0] } }) ?? [] {
                            tagCounts[t, default: 1] -= 1
                        }
                    }
                }
                throw IndexError.capacityExceeded(limit: graph.capacity)
            }
            slots.append(slot)
            withBookkeeping {
                if let old = slotOfID[id] { replaced.append(old) }
                for t in tagList {
                    tagCounts[t, default: 0] += 1
                    postings[t, default: []].append(slot)
                }
            }
        }
        return (slots, replaced)
    }

    /// Links the placed slots into the graph, spread over `threads` threads.
    func link(_ slots: [UInt32], threads: Int) {
        if threads <= 1 || slots.count < 64 {
            for s in slots { graph.link(slot: s) }
            return
        }
        // The first few nodes go in alone so the graph has a top before threads fan out.
        let head = min(slots.count, 16)
        for s in slots[0..<head] { graph.link(slot: s) }
        parallelForEach(count: slots.count - head, threads: threads) { i in
            graph.link(slot: slots[head + i])
        }
    }
}

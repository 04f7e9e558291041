import CSupport

/// Graph-order renumbering of the slots (Coleman et al., "Graph Reordering
/// for Cache-Efficient Near Neighbor Search", NeurIPS 2022): a search expands
/// a node and then its neighbours, so slots numbered in breadth-first order
/// of the layer-0 graph put a node's neighbours' blocks near its own, and the
/// walk's reads share pages and cache lines instead of jumping across the
/// whole region. Ids do not change; only the slots behind them do.
extension HNSWGraph {
    /// The slots in breadth-first order of layer 0 from the entry point
    /// (neighbours in link order), then every slot the walk did not reach
    /// (deleted, freed or cut off), in slot order.
    /// - Returns: `order[new] = old`.
    func breadthFirstOrder() -> [UInt32] {
        let n = Int(slotCount)
        var order: [UInt32] = []
        order.reserveCapacity(n)
        guard n > 0 else { return order }
        var seen = [Bool](repeating: false, count: n)
        if let start = entry?.slot {
            seen[Int(start)] = true
            order.append(start)
            var head = 0
            while head < order.count {
                let list = linkList(order[head], level: 0)
                head += 1
                for i in 0..<min(Int(list.pointee), layout.maxM0) {
                    let next = Int(list[1 + i])
                    guard next < n, !seen[next] else { continue }
                    seen[next] = true
                    order.append(UInt32(next))
                }
            }
        }
        for s in 0..<n where !seen[s] { order.append(UInt32(s)) }
        return order
    }

    /// Moves every slot's node, metadata and full-precision vector to its new
    /// slot and rewrites every link (layer 0 and above), the entry point and
    /// the free list to match. Upper-layer lists and tag lists stay where they
    /// are in their arenas: a node's metadata keeps pointing at them.
    ///
    /// The caller must hold off every search and writer (it rewrites the
    /// memory they read) and re-derive whatever maps ids or tags to slots.
    /// - Parameter order: `order[new] = old`, a permutation of `0..<slotCount`.
    func renumber(_ order: [UInt32]) {
        let n = Int(slotCount)
        precondition(order.count == n, "a renumbering names every slot once")
        var newOf = [UInt32](repeating: .max, count: n)
        for (new, old) in order.enumerated() {
            precondition(newOf[Int(old)] == .max, "slot \(old) appears twice in the renumbering")
            newOf[Int(old)] = UInt32(new)
        }
        guard n > 0 else { return }
        Self.permuteRows(nodes.base, rowBytes: layout.stride, order: order)
        Self.permuteRows(metas.base, rowBytes: MemoryLayout<NodeMeta>.stride, order: order)
        if let full { Self.permuteRows(full.base, rowBytes: layout.dimension * 4, order: order) }
        newOf.withUnsafeBufferPointer { map in
            for s in 0..<UInt32(n) {
                Self.remapLinks(linkList(s, level: 0), limit: layout.maxM0, map)
                let m = meta(s).pointee
                guard m.upper != 0, m.level > 0 else { continue }
                for level in 1...Int(m.level) {
                    Self.remapLinks(linkList(s, level: level), limit: layout.M, map)
                }
            }
        }
        if let e = entry { setEntry(slot: newOf[Int(e.slot)], level: e.level) }
        freeSlots = freeSlots.map { newOf[Int($0)] }
    }

    /// Rewrites `[count][links…]` through `map` (old slot → new).
    private static func remapLinks(_ list: UnsafeMutablePointer<UInt32>, limit: Int, _ map: UnsafeBufferPointer<UInt32>) {
        for i in 0..<min(Int(list.pointee), limit) {
            let old = Int(list[1 + i])
            precondition(old < map.count, "a link to slot \(old) past the \(map.count) slots")
            list[1 + i] = map[old]
        }
    }

    /// `rows[new] = rows[order[new]]` over `order.count` rows of `rowBytes`, through one copy of them.
    private static func permuteRows(_ base: UnsafeMutableRawPointer, rowBytes: Int, order: [UInt32]) {
        let bytes = order.count * rowBytes
        let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { copy.deallocate() }
        copy.copyMemory(from: base, byteCount: bytes)
        for (new, old) in order.enumerated() {
            (base + new * rowBytes).copyMemory(from: copy + Int(old) * rowBytes, byteCount: rowBytes)
        }
    }
}

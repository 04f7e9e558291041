/// Filters in terms of the index's interned tags: resolving tag names to ids,
/// and estimating from the tag counts whether a filter is selective enough to
/// be answered by an exact scan of its posting list instead of a graph walk.
extension HNSWIndex {
    /// `filter` with its tag names resolved to ids. An `allOf` name the index
    /// has never seen, or an `anyOf` of none it has, makes it match nothing.
    func compile(_ filter: Filter) -> CompiledFilter {
        withBookkeeping {
            var nothing = false
            let all = filter.allOf.compactMap { name -> UInt32? in
                if let id = tagIDs[name] { return id }
                nothing = true
                return nil
            }
            let any = filter.anyOf.compactMap { tagIDs[$0] }
            if !filter.anyOf.isEmpty && any.isEmpty { nothing = true }
            return CompiledFilter(allOf: all.sorted(), anyOf: any, matchesNothing: nothing)
        }
    }

    /// The candidate slots for an exact filtered search, or nil when the filter
    /// keeps enough vectors for a graph walk to be the faster way.
    func selectiveSlots(_ f: CompiledFilter) -> [UInt32]? {
        withBookkeeping {
            let live = max(slotOfID.count, 1)
            var estimate: Int
            var source: [UInt32]
            if let rarest = f.allOf.min(by: { tagCounts[$0, default: 0] < tagCounts[$1, default: 0] }) {
                estimate = tagCounts[rarest, default: 0]
                source = postings[rarest] ?? []
            } else {
                estimate = f.anyOf.reduce(0) { $0 + tagCounts[$1, default: 0] }
                if Double(estimate) > exactFilterFraction * Double(live) { return nil }
                var union = Set<UInt32>()
                for t in f.anyOf { union.formUnion(postings[t] ?? []) }
                return Array(union)
            }
            if Double(estimate) > exactFilterFraction * Double(live) { return nil }
            return Array(Set(source))
        }
    }
}

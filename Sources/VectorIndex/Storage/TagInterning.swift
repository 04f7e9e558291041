/// Tag names as small integer ids: nodes store sorted id lists, and filters
/// compare ids (see `FilterCompilation.swift`). Ids are never reused, and are
/// the order of the snapshot's tag-name section.
extension HNSWIndex {
    /// The sorted ids of `names` (duplicates dropped), giving new names the next ids.
    func internTags(_ names: [String]) -> [UInt32] {
        withBookkeeping {
            var out = [UInt32]()
            for name in Set(names) {
                if let id = tagIDs[name] {
                    out.append(id)
                } else {
                    let id = UInt32(tagNames.count)
                    tagIDs[name] = id
                    tagNames.append(name)
                    out.append(id)
                }
            }
            return out.sorted()
        }
    }
}

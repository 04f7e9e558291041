import Primitives
import Wire

/// Which group each learned alias vector belongs to, so the service can read a
/// plain SEARCH's hits as votes for articles (``NeighbourVote``).
///
/// A cache of the store's active aliases: filled from the store when the service
/// opens and kept current as this service adds or takes back aliases. An alias
/// another service instance added meanwhile is simply not counted until restart.
final class AliasDirectory: Sendable {
    private let groups = Locked<[UInt64: UInt64]>([:])

    init(store: any LearningStore) throws {
        var after: Int64 = 0
        var all: [UInt64: UInt64] = [:]
        while true {
            let page = try store.activeAliases(after: after, limit: 4096)
            guard let last = page.last else { break }
            for alias in page { all[VectorIDs.alias(alias.key)] = VectorIDs.group(alias.articleKey) }
            after = last.key
        }
        groups.withLock { $0 = all }
    }

    func add(alias key: Int64, article: Int64) {
        groups.withLock { $0[VectorIDs.alias(key)] = VectorIDs.group(article) }
    }

    func remove(alias key: Int64) {
        groups.withLock { $0[VectorIDs.alias(key)] = nil }
    }

    /// The group of a vector id: an article's own vector is its group; an unknown alias is nil.
    func group(ofVector id: UInt64) -> UInt64? {
        id < VectorIDs.aliasBase ? id : groups.withLock { $0[id] }
    }
}

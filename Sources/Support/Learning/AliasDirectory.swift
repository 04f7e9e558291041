import Primitives
import Wire

/// Which group each learned alias vector belongs to, so the service can read a
/// plain SEARCH's hits as votes for articles (``NeighbourVote``), and what the
/// aliases' contexts say about which article goes with which context
/// (``ContextEvidence``).
///
/// A cache of the store's active aliases: filled from the store when the service
/// opens, kept current as this service adds or takes back aliases, and filled again
/// (``reload(from:)``) when another service instance on the same store learned something.
final class AliasDirectory: Sendable {
    private struct Entry {
        var group: UInt64
        var context: [ContextHash]
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var evidence = ContextEvidence()

        mutating func add(_ id: UInt64, _ entry: Entry) {
            if let old = entries.updateValue(entry, forKey: id) { evidence.add(old.context, group: old.group, delta: -1) }
            evidence.add(entry.context, group: entry.group, delta: 1)
        }

        mutating func remove(_ id: UInt64) {
            guard let old = entries.removeValue(forKey: id) else { return }
            evidence.add(old.context, group: old.group, delta: -1)
        }
    }

    private let state = Locked(State())

    init(store: any LearningStore) throws {
        try reload(from: store)
    }

    /// Replaces the cache with the store's active aliases now.
    func reload(from store: any LearningStore) throws {
        var after: Int64 = 0
        var all = State()
        while true {
            let page = try store.activeAliases(after: after, limit: 4096)
            guard let last = page.last else { break }
            for alias in page {
                all.add(VectorIDs.alias(alias.key), Entry(group: VectorIDs.group(alias.articleKey), context: alias.context))
            }
            after = last.key
        }
        state.withLock { $0 = all }
    }

    /// Counts an alias of `article` asked with `context` (hashed).
    func add(alias key: Int64, article: Int64, context: [ContextHash]) {
        state.withLock { $0.add(VectorIDs.alias(key), Entry(group: VectorIDs.group(article), context: context)) }
    }

    /// Counts a stored alias again (an article published or restored).
    func add(_ alias: AliasRecord) {
        add(alias: alias.key, article: alias.articleKey, context: alias.context)
    }

    /// Stops counting an alias, and its context evidence with it.
    func remove(alias key: Int64) {
        state.withLock { $0.remove(VectorIDs.alias(key)) }
    }

    /// The group of a vector id: an article's own vector is its group; an unknown alias is nil.
    func group(ofVector id: UInt64) -> UInt64? {
        id < VectorIDs.aliasBase ? id : state.withLock { $0.entries[id]?.group }
    }

    /// The log-lifts of `groups` given a query's context (``ContextEvidence/logLift(of:given:)``);
    /// empty when the query has no context or no alias carried any.
    func contextLogLifts(of groups: some Sequence<UInt64>, given query: [ContextHash]) -> [UInt64: Double] {
        guard !query.isEmpty else { return [:] }
        return state.withLock { state in
            guard !state.evidence.isEmpty else { return [:] }
            var lifts: [UInt64: Double] = [:]
            for group in groups { lifts[group] = state.evidence.logLift(of: group, given: query) }
            return lifts
        }
    }
}

import Ranking
import VectorIndex

/// One collection of a data directory opened the way `serve` opens it — its
/// ranker restored from the newest snapshot and the log after it — for the
/// tools that work on a stopped core (`snapshot --data`, `eval-policy`).
///
/// The caller holds the `DataDirectory` (and so `DATA/LOCK`); a running
/// daemon's directory cannot be opened, which keeps tools from writing under it.
public final class OfflineCollection {
    /// The collection: index, log and snapshots.
    public let collection: DurableCollection
    private let ranking: CollectionRanking?

    /// Recovers `name` from `directory`.
    /// - Parameter ranking: the settings for a collection that has no ranker
    ///   state yet; nil opens it without a ranker (its ranking records are then
    ///   not replayed, and a snapshot would leave them out).
    public init(_ directory: DataDirectory, name: String,
                ranking configuration: RankerConfiguration? = RankerConfiguration()) throws {
        ranking = try configuration.map { try CollectionRanking(name: name, configuration: $0) }
        let hooks = ranking?.extensions(chaining: CollectionExtensions()) ?? CollectionExtensions()
        collection = try directory.openCollection(name, extensions: hooks).0
        ranking?.bind(collection)
    }

    /// The restored ranker, or nil when opened without ranking.
    public var ranker: Ranker? { ranking?.currentRanker }

    /// Writes a snapshot (ranker state included).
    /// - Returns: its path.
    @discardableResult
    public func snapshot() throws -> String {
        if let ranking { return try ranking.snapshot { try collection.snapshot() }.path }
        return try collection.snapshot().path
    }

    /// Syncs and closes the log.
    public func close() throws { try collection.close() }
}

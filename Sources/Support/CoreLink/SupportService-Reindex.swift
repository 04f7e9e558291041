import Foundation
import Wire

/// Recovery: the store is the source of truth for text, so a lost or stale core
/// collection is rebuilt from it.
extension SupportService {
    /// Rebuilds the core collection from the store: drops it, then upserts every
    /// published article (embedded again) and every active alias. SQLite is the
    /// source of truth for text; this is how a lost or stale core is recovered.
    /// Answers given before the rebuild no longer accept ranker feedback (their
    /// outcomes are still recorded).
    /// - Returns: the numbers of article and alias vectors written.
    public func reindex(progress: (@Sendable (String, Int, Int) -> Void)? = nil) async throws -> (articles: Int, aliases: Int) {
        let collection = configuration.collection
        try await core.run { client in
            do { try await client.dropCollection(name: collection) } catch let error as WireError where error.code == .unknownCollection {}
            try await client.createCollection(name: collection, dimension: embedder.dimension, metric: .cosine, storage: .f32, existOK: true)
        }
        let next = generation.withLock { value -> Int in value += 1; return value }
        try store.write { w in try w.setValue(String(next), forKey: Self.generationKey) }
        await outbox.setGeneration(next)
        let total = try store.articleCount()
        var articleVectors = 0
        var offset = 0
        while true {
            let page = try store.listArticles(limit: Self.articleBatchSize, offset: offset, includeArchived: false)
            if page.isEmpty { break }
            offset += page.count
            let vectors = embedder.embed(page.map(\.embeddingText))
            let items = ItemBatch(dimension: embedder.dimension, ids: page.map { VectorIDs.article($0.key) }, vectors: vectors.flatMap { $0 },
                                  groups: page.map { VectorIDs.group($0.key) }, tags: page.map { VectorIDs.coreTags($0.tags) })
            try await core.run { client in _ = try await client.upsert(collection: collection, items: items) }
            articleVectors += page.count
            progress?("articles", articleVectors, total)
        }
        var aliasVectors = 0
        var after: Int64 = 0
        while true {
            let page = try store.activeAliases(after: after, limit: 512)
            guard let last = page.last else { break }
            after = last.key
            let items = ItemBatch(dimension: embedder.dimension, ids: page.map { VectorIDs.alias($0.key) }, vectors: page.flatMap(\.vector),
                                  groups: page.map { VectorIDs.group($0.articleKey) }, tags: page.map { _ in ["alias"] })
            try await core.run { client in _ = try await client.upsert(collection: collection, items: items) }
            aliasVectors += page.count
            progress?("aliases", aliasVectors, aliasVectors)
        }
        return (articleVectors, aliasVectors)
    }
}

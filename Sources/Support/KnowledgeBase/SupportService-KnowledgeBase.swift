import Foundation
import Wire

/// Knowledge base in: articles are written to the store, embedded, and upserted
/// into the core through the outbox.
extension SupportService {
    /// Articles embedded and upserted per batch.
    public static let articleBatchSize = 64

    /// Inserts or updates articles; unchanged ones are neither re-embedded nor re-sent.
    /// - Parameters:
    ///   - inputs: the articles, each id at most once.
    ///   - origin: who wrote them (kept with each new article).
    ///   - progress: called after each batch with (done, total).
    /// - Returns: how many were created, updated and left unchanged.
    /// - Throws: ``SupportError/invalidArticle(id:reason:)`` before anything is written;
    ///   the store's errors. A core that is down does not fail the call: the
    ///   vectors wait in the outbox (see ``deliverPending()``).
    @discardableResult
    public func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin = .knowledgeBase,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> ArticleImportSummary {
        var seen = Set<String>()
        for input in inputs {
            try input.validate()
            guard seen.insert(input.id).inserted else {
                throw SupportError.invalidArticle(id: input.id, reason: "appears twice in one request")
            }
        }
        var summary = ArticleImportSummary()
        var done = 0
        for start in stride(from: 0, to: inputs.count, by: Self.articleBatchSize) {
            let batch = Array(inputs[start..<min(start + Self.articleBatchSize, inputs.count)])
            let now = clock.now
            // Embed first (outside the transaction), only what changed.
            var existing: [String: Article] = [:]
            for input in batch { if let a = try store.article(id: input.id) { existing[input.id] = a } }
            let changedInputs = batch.filter { input in
                guard let a = existing[input.id] else { return true }
                return a.title != input.title || a.body != input.body || a.tags != input.tags || a.status != .published
            }
            let vectors = embedder.embed(changedInputs.map { $0.title + "\n" + $0.body })
            var vectorOf: [String: [Float]] = [:]
            for (input, vector) in zip(changedInputs, vectors) { vectorOf[input.id] = vector }
            let result = try store.write { w -> ArticleImportSummary in
                let written = try w.upsertArticles(batch, origin: origin, at: now)
                var part = ArticleImportSummary()
                var ids: [UInt64] = [], flat: [Float] = [], groups: [UInt64] = [], tags: [[String]] = []
                for (article, changed) in written {
                    guard changed, let vector = vectorOf[article.id] else { part.unchanged += 1; continue }
                    if article.version == 1 { part.created += 1 } else { part.updated += 1 }
                    ids.append(VectorIDs.article(article.key))
                    flat += vector
                    groups.append(VectorIDs.group(article.key))
                    tags.append(VectorIDs.coreTags(article.tags))
                }
                if !ids.isEmpty { try w.enqueue([.upsert(ids: ids, vectors: flat, groups: groups, tags: tags)]) }
                return part
            }
            summary = summary + result
            await outbox.flush()
            await noteArticlesChangedForGaps(changedInputs.compactMap { input in vectorOf[input.id].map { (input.id, $0) } })
            done += batch.count
            progress?(done, inputs.count)
        }
        return summary
    }

    /// Archives an article: it stays in the store with its history but is no longer cited.
    /// - Throws: ``SupportError/unknownArticle(_:)``.
    public func archiveArticle(id: String) async throws -> Article {
        let now = clock.now
        let archived = try store.write { w -> Article? in
            guard let article = try w.archiveArticle(id: id, at: now) else { return nil }
            try w.enqueue([.delete(ids: [VectorIDs.article(article.key)])])
            return article
        }
        guard let archived else { throw SupportError.unknownArticle(id) }
        await outbox.flush()
        return archived
    }
}

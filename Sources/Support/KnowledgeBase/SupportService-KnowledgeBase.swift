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
    ///   - evidence: what taught them, for articles written from replies (``LearnedItem``).
    ///   - progress: called after each batch with (done, total).
    /// - Returns: how many were created, updated and left unchanged.
    /// - Throws: ``SupportError/invalidArticle(id:reason:)`` before anything is written;
    ///   the store's errors. A core that is down does not fail the call: the
    ///   vectors wait in the outbox (see ``deliverPending()``).
    @discardableResult
    public func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin = .knowledgeBase, evidence: LearningEvidence? = nil,
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
            // An archived or draft article submitted again is published: its aliases vote again.
            var returning: [AliasRecord] = []
            for article in existing.values where article.status != .published { returning += try store.activeAliases(articleKey: article.key) }
            let result = try writeLearning { w -> ArticleImportSummary in
                let written = try w.upsertArticles(batch, origin: origin, status: .published, evidence: evidence, at: now)
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
                if let upsert = Self.aliasUpsert(returning) { try w.enqueue([upsert]) }
                return part
            }
            for alias in returning { aliasDirectory.add(alias) }
            summary = summary + result
            await outbox.flush()
            await noteArticlesChangedForGaps(changedInputs.compactMap { input in vectorOf[input.id].map { (input.id, $0) } })
            done += batch.count
            progress?(done, inputs.count)
        }
        return summary
    }

    /// Archives an article: it stays in the store with its history, is no longer cited, and its
    /// aliases stop voting at once (their vectors leave the core; they vote again if it is published).
    /// - Throws: ``SupportError/unknownArticle(_:)``.
    @discardableResult
    public func archiveArticle(id: String) async throws -> Article {
        try await setStatus(ofArticle: id, to: .archived)
    }

    /// Publishes an archived or draft article: embedded again, cited from the next question on,
    /// its aliases voting; an agent's reviewed draft then adopts the questions handled without an
    /// article nearby, as it would have when written.
    /// - Throws: ``SupportError/unknownArticle(_:)``.
    @discardableResult
    public func publishArticle(id: String) async throws -> Article {
        try await setStatus(ofArticle: id, to: .published)
    }

    /// Edits an article (`PATCH /v1/articles/{id}`): the fields given change, a changed title, body
    /// or tags make a new version (embedded again when it is published), and a status given moves it
    /// as ``archiveArticle(id:)`` and ``publishArticle(id:)`` do (or back to `draft`).
    /// - Throws: ``SupportError/unknownArticle(_:)``; ``SupportError/invalidArticle(id:reason:)``
    ///   for an edit that leaves it invalid (an empty title, a reserved status).
    public func updateArticle(id: String, _ patch: ArticlePatch) async throws -> Article {
        guard let current = try store.article(id: id), current.status != .internal else { throw SupportError.unknownArticle(id) }
        if let status = patch.status, status == .internal {
            throw SupportError.invalidArticle(id: id, reason: "status must be published, archived or draft")
        }
        let input = ArticleInput(id: id, title: patch.title ?? current.title, body: patch.body ?? current.body,
                                 tags: patch.tags ?? current.tags)
        try input.validate()
        var article = current
        if input.title != current.title || input.body != current.body || input.tags != current.tags {
            let now = clock.now
            let vector = current.status == .published ? embedder.embed(input.title + "\n" + input.body) : nil
            article = try writeLearning { w -> Article in
                let written = try w.upsertArticles([input], origin: current.origin, status: current.status, evidence: nil, at: now)
                guard let article = written.first?.article else { return current }
                if let vector {
                    try w.enqueue([.upsert(ids: [VectorIDs.article(article.key)], vectors: vector, groups: [VectorIDs.group(article.key)],
                                           tags: [VectorIDs.coreTags(article.tags)])])
                }
                return article
            }
            await outbox.flush()
            if let vector { await noteArticlesChangedForGaps([(article.id, vector)]) }
        }
        if let status = patch.status, status != article.status { article = try await setStatus(ofArticle: id, to: status) }
        return article
    }

    /// Moves an article between served (`published`) and not (`archived`, `draft`), taking its
    /// vector and its aliases' out of the core, or embedding it again and putting them back.
    func setStatus(ofArticle id: String, to status: ArticleStatus) async throws -> Article {
        let now = clock.now
        guard let current = try store.article(id: id), current.status != .internal else { throw SupportError.unknownArticle(id) }
        let aliases = try store.activeAliases(articleKey: current.key)
        let serving = status == .published
        let vector = serving && current.status != .published ? embedder.embed(current.embeddingText) : nil
        let moved = try writeLearning { w -> (article: Article, previous: ArticleStatus)? in
            guard let moved = try w.setArticleStatus(id: id, to: status, at: now) else { return nil }
            let wasServing = moved.previous == .published
            if wasServing && !serving {
                try w.enqueue([.delete(ids: [VectorIDs.article(moved.article.key)] + aliases.map { VectorIDs.alias($0.key) })])
            } else if !wasServing, serving, let vector {
                try w.enqueue([.upsert(ids: [VectorIDs.article(moved.article.key)], vectors: vector,
                                       groups: [VectorIDs.group(moved.article.key)], tags: [VectorIDs.coreTags(moved.article.tags)])])
                if let upsert = Self.aliasUpsert(aliases) { try w.enqueue([upsert]) }
            }
            return moved
        }
        guard let moved else { throw SupportError.unknownArticle(id) }
        let wasServing = moved.previous == .published
        if wasServing && !serving {
            for alias in aliases { aliasDirectory.remove(alias: alias.key) }
        } else if !wasServing && serving {
            for alias in aliases { aliasDirectory.add(alias) }
        }
        await outbox.flush()
        if !wasServing, serving, let vector {
            if configuration.learning, moved.article.origin == .agentReply {
                await adoptHandledWithoutArticle(near: aliases.first?.vector ?? vector, into: moved.article, now: now)
            }
            await noteArticlesChangedForGaps([(moved.article.id, vector)])
        }
        return moved.article
    }

    /// One core upsert of these aliases' vectors into their articles' groups; nil for none.
    static func aliasUpsert(_ aliases: [AliasRecord]) -> CoreOperation? {
        guard !aliases.isEmpty else { return nil }
        return .upsert(ids: aliases.map { VectorIDs.alias($0.key) }, vectors: aliases.flatMap(\.vector),
                       groups: aliases.map { VectorIDs.group($0.articleKey) }, tags: aliases.map { _ in ["alias"] })
    }
}

/// An edit of an article, as `PATCH /v1/articles/{id}` takes it: the fields given change.
public struct ArticlePatch: Codable, Sendable, Equatable {
    public var title: String?
    public var body: String?
    public var tags: [String]?
    /// `published`, `archived` or `draft`.
    public var status: ArticleStatus?

    /// An edit.
    public init(title: String? = nil, body: String? = nil, tags: [String]? = nil, status: ArticleStatus? = nil) {
        self.title = title
        self.body = body
        self.tags = tags
        self.status = status
    }
}

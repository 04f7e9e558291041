import Foundation
import Wire

/// See and undo what the service taught itself (`GET /v1/learned`, `DELETE /v1/learned/{id}`,
/// `loopdesk learned list|undo`, `/dashboard/learned`).
extension SupportService {
    /// The largest page of learned items served.
    public static let maxLearnedPage = 1000

    /// What the service learned, newest first.
    /// - Parameters:
    ///   - kind: aliases or articles only; nil for both.
    ///   - since: only items created at or after it.
    ///   - limit: 1–``maxLearnedPage``.
    public func learnedItems(kind: LearnedItem.Kind? = nil, since: Date? = nil, limit: Int = 50) throws -> [LearnedItem] {
        try store.learnedItems(kind: kind, since: since, limit: min(max(limit, 1), Self.maxLearnedPage))
    }

    /// Takes back one learned item.
    ///
    /// - An alias leaves the core and the neighbour vote at once. When it was its answer's
    ///   resolution (`resolved`), the credit is taken back as a reopen would: the ranker hears
    ///   `reopened`, the escalation policy counts the answer wrong, the answer's outcome becomes
    ///   `reopened` (an outcome event with the id `undo:<item id>`, source `undo`).
    /// - An article written from a reply (an agent's, or an imported ticket's) is archived: never
    ///   cited again, its aliases no longer voting (``archiveArticle(id:)``).
    /// - Returns: the item as it is now.
    /// - Throws: ``SupportError/unknownLearnedItem(_:)`` for an id that names no learned item (a
    ///   knowledge-base article is not one); ``SupportError/alreadyUndone(_:)`` for one already taken back.
    @discardableResult
    public func undoLearned(id: String) async throws -> LearnedItem {
        guard let (kind, key) = LearnedItem.parse(id) else { throw SupportError.unknownLearnedItem(id) }
        switch kind {
        case .article:
            guard let article = try store.article(key: key), article.origin != .knowledgeBase, article.status != .internal else {
                throw SupportError.unknownLearnedItem(id)
            }
            guard article.status != .archived else { throw SupportError.alreadyUndone("\(id) (article \(article.id)) is archived already") }
            _ = try await archiveArticle(id: article.id)
        case .alias:
            guard let alias = try store.alias(key: key) else { throw SupportError.unknownLearnedItem(id) }
            guard alias.active else { throw SupportError.alreadyUndone("\(id) was taken back already") }
            if let answerKey = alias.answerKey, let answer = try store.answer(key: answerKey), answer.outcome == .resolved,
               answer.aliasKey == alias.key {
                try await takeBackResolution(answer, item: id)
            } else {
                try await endAlias(alias)
            }
        }
        guard let item = try learnedItem(id: id) else { throw SupportError.unknownLearnedItem(id) }
        return item
    }

    /// The reopen an undo of a resolution's alias amounts to.
    private func takeBackResolution(_ answer: AnswerRecord, item: String) async throws {
        let request = OutcomeRequest(impressionID: answer.impressionID, outcome: .reopened, eventID: "undo:\(item)", source: "undo")
        var plan = try plan(request, for: answer)
        plan.revokeReason = .undone
        _ = try await apply(plan, of: request, for: answer)
    }

    /// Ends an alias whose answer gave no credit to take back (a correction, an escalation, an import).
    private func endAlias(_ alias: AliasRecord) async throws {
        let now = clock.now
        try writeLearning { w in
            try w.endAlias(key: alias.key, reason: .undone, at: now)
            try w.enqueue([.delete(ids: [VectorIDs.alias(alias.key)])])
        }
        aliasDirectory.remove(alias: alias.key)
        await outbox.flush()
    }

    /// One learned item by id, as the list shows it.
    func learnedItem(id: String) throws -> LearnedItem? {
        guard let (kind, key) = LearnedItem.parse(id) else { return nil }
        return try store.learnedItem(kind: kind, key: key)
    }
}

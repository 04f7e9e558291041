import Foundation
import Wire

/// Learn from outcomes: each one is recorded, becomes FEEDBACK for the ranker,
/// and may add or take back an alias or write an article — at once, in one
/// store transaction, delivered to the core through the outbox.
extension SupportService {
    /// Records an outcome of an answer.
    ///
    /// | outcome | ranker (learning on) | knowledge |
    /// | --- | --- | --- |
    /// | `resolved` | `resolved` on the cited article | the question becomes an alias of it |
    /// | `escalated` | `escalated` on the best candidate | — |
    /// | `corrected` + `article_id` | `corrected` (that article used instead), or `resolved` when it was the best candidate | the question becomes an alias of that article |
    /// | `corrected` + `agent_reply` | `corrected` | the reply becomes a new article at once |
    /// | `reopened` | `reopened` (takes back `resolved`) | the alias is taken back |
    /// | `csat` | `csat` | — |
    ///
    /// - Throws: ``SupportError/unknownImpression(_:)``, ``SupportError/unknownConversation(_:)``,
    ///   ``SupportError/unknownArticle(_:)``, ``SupportError/invalidOutcome(_:)``. A core that is
    ///   down does not fail the call: the outcome is stored and delivered later (`delivered: false`).
    public func recordOutcome(_ request: OutcomeRequest) async throws -> OutcomeResponse {
        if let eventID = request.eventID {
            guard !eventID.isEmpty, eventID.utf8.count <= 200 else { throw SupportError.invalidOutcome("event_id must be 1–200 bytes") }
        }
        let answer = try resolveAnswer(request)
        if let eventID = request.eventID, try store.hasEvent(id: eventID) {
            return OutcomeResponse(status: "duplicate", impressionID: answer.impressionID,
                                   delivered: try store.pendingOperationCount() == 0)
        }
        let now = clock.now
        let plan = try plan(request, for: answer, now: now)
        let learning = configuration.learning
        let event = OutcomeEventRecord(answerKey: answer.key, kind: request.outcome, csat: request.csat,
                                       agentReply: request.agentReply, articleID: request.articleID,
                                       eventID: request.eventID, createdAt: now)
        let aliasTarget = plan.aliasArticle
        let (created, addedAlias, revokedAlias) = try store.write { w -> (Article?, (key: Int64, article: Int64)?, Int64?) in
            var operations: [CoreOperation] = learning ? plan.feedback : []
            var update = AnswerUpdate(answerKey: answer.key, outcome: plan.terminal, topWasRight: plan.topWasRight)
            var createdArticle: Article?
            var added: (key: Int64, article: Int64)?, revoked: Int64?
            if plan.revokeAlias, let aliasKey = answer.aliasKey {
                try w.deactivateAlias(key: aliasKey)
                operations.append(.delete(ids: [VectorIDs.alias(aliasKey)]))
                update.aliasKey = .some(nil)
                revoked = aliasKey
            }
            if let reply = plan.newArticle {
                let written = try w.upsertArticles([reply.input], origin: .agentReply, at: now)
                if let article = written.first?.article {
                    createdArticle = article
                    operations.append(.upsert(ids: [VectorIDs.article(article.key)], vectors: reply.vector,
                                              groups: [VectorIDs.group(article.key)], tags: [VectorIDs.coreTags(article.tags)]))
                }
            }
            var target = aliasTarget ?? createdArticle?.key
            if plan.aliasToNoArticle, target == nil {
                target = try w.internalArticle(id: VectorIDs.noArticleID, title: "Handled by an agent without an article", at: now).key
            }
            if learning, let target, !answer.vector.isEmpty {
                let aliasKey = try w.insertAlias(articleKey: target, answerKey: answer.key, question: answer.question,
                                                 vector: answer.vector, at: now)
                operations.append(.upsert(ids: [VectorIDs.alias(aliasKey)], vectors: answer.vector,
                                          groups: [VectorIDs.group(target)], tags: [["alias"]]))
                update.aliasKey = .some(aliasKey)
                added = (aliasKey, target)
            }
            try w.insertOutcome(event)
            try w.updateAnswer(update)
            if request.outcome == .corrected || request.outcome == .reopened || request.outcome == .escalated {
                try w.appendTurns(conversationID: answer.conversationID, context: [:], turns: [
                    ConversationTurn(role: .agent, text: request.agentReply ?? "(\(request.outcome.rawValue))",
                                     answerKey: answer.key, createdAt: now),
                ])
            }
            try w.enqueue(operations)
            return (createdArticle, added, revoked)
        }
        if let revokedAlias { aliasDirectory.remove(alias: revokedAlias) }
        if let addedAlias { aliasDirectory.add(alias: addedAlias.key, article: addedAlias.article) }
        if learning, let right = plan.topWasRight, answer.articleKey != nil {
            policy.observe(topic: answer.topic, lower: answer.lower, right: right)
        }
        let delivered = await outbox.flush()
        await noteWrongAnswerForGaps(answer, outcome: request.outcome, wroteArticle: created != nil)
        if learning, let created, let vector = plan.newArticle?.vector {
            await adoptHandledWithoutArticle(near: answer.vector.isEmpty ? vector : answer.vector, into: created, now: now)
        }
        if let created, let vector = plan.newArticle?.vector { await noteArticlesChangedForGaps([(created.id, vector)]) }
        let aliasArticle = try (aliasTarget ?? created?.key).flatMap { try store.article(key: $0) }.flatMap { $0.status == .published ? $0 : nil }
        return OutcomeResponse(status: "recorded", impressionID: answer.impressionID, delivered: delivered,
                               createdArticle: created.map { ArticleReference(id: $0.id, title: $0.title) },
                               aliasOf: learning ? aliasArticle.map { ArticleReference(id: $0.id, title: $0.title) } : nil)
    }

    /// The answer an outcome names, by impression id or by conversation.
    func resolveAnswer(_ request: OutcomeRequest) throws -> AnswerRecord {
        if let impressionID = request.impressionID {
            guard let key = AnswerRecord.key(fromImpressionID: impressionID), let answer = try store.answer(key: key) else {
                throw SupportError.unknownImpression(impressionID)
            }
            return answer
        }
        guard let conversationID = request.conversationID else {
            throw SupportError.invalidOutcome("name the answer with impression_id or conversation_id")
        }
        guard try store.conversationExists(id: conversationID) else { throw SupportError.unknownConversation(conversationID) }
        guard let answer = try store.latestAnswer(conversationID: conversationID) else {
            throw SupportError.unknownImpression("(conversation \(conversationID) has no answer)")
        }
        return answer
    }

    /// What an outcome does, worked out before anything is written.
    struct OutcomePlan {
        var feedback: [CoreOperation] = []
        var terminal: OutcomeKind?
        var topWasRight: Bool?
        var aliasArticle: Int64?
        var newArticle: (input: ArticleInput, vector: [Float])?
        var revokeAlias = false
        /// The question becomes an example of what agents handle without an article.
        var aliasToNoArticle = false
    }

    func plan(_ request: OutcomeRequest, for answer: AnswerRecord, now: Date) throws -> OutcomePlan {
        var plan = OutcomePlan()
        let group = answer.articleKey.map(VectorIDs.group)
        let shown = group.map { answer.shownGroups.contains($0) } ?? false
        // One terminal outcome per answer — except that an agent may still correct an
        // answer that was escalated or reopened (the helpdesk's natural sequence): the
        // ranker already has its negative outcome, so only the knowledge is updated.
        let followsFailure = request.outcome == .corrected && (answer.outcome == .escalated || answer.outcome == .reopened)
        if let previous = answer.outcome, request.outcome != .csat, request.outcome != .reopened {
            if !followsFailure {
                throw SupportError.invalidOutcome("\(answer.impressionID) already has the outcome \(previous.rawValue)"
                    + (previous == .resolved ? "; send reopened to take the resolution back" : ""))
            }
        }
        func feedback(_ code: UInt8, instead: UInt64? = nil, csat: UInt8? = nil) {
            guard let group, shown, !followsFailure else { return }
            plan.feedback.append(.feedback(generation: answer.generation, impression: answer.coreImpression, group: group,
                                           outcome: code, groupUsedInstead: instead, csat: csat))
        }
        switch request.outcome {
        case .resolved:
            guard let key = answer.articleKey else {
                throw SupportError.invalidOutcome("\(answer.impressionID) suggested no article; report corrected with article_id or agent_reply")
            }
            plan.terminal = .resolved
            plan.topWasRight = true
            plan.aliasArticle = key
            feedback(1)
        case .escalated:
            plan.terminal = .escalated
            plan.aliasToNoArticle = true
            if answer.articleKey != nil {
                plan.topWasRight = false
                feedback(2)
            }
        case .corrected:
            plan.terminal = followsFailure ? answer.outcome : .corrected
            if let articleID = request.articleID {
                guard let used = try store.article(id: articleID), used.status == .published else {
                    throw SupportError.unknownArticle(articleID)
                }
                plan.aliasArticle = used.key
                if used.key == answer.articleKey {
                    plan.topWasRight = true
                    feedback(1)
                } else {
                    plan.topWasRight = answer.articleKey == nil ? nil : false
                    feedback(3, instead: VectorIDs.group(used.key))
                }
            } else if let reply = request.agentReply?.trimmingCharacters(in: .whitespacesAndNewlines), !reply.isEmpty {
                guard reply.utf8.count <= 100_000 else { throw SupportError.invalidOutcome("agent_reply is longer than 100,000 bytes") }
                let title = Self.titleForAgentArticle(question: answer.question)
                let input = ArticleInput(id: "agent-\(answer.key)", title: title, body: reply, tags: ["origin:agent"])
                plan.newArticle = (input, embedder.embed(input.title + "\n" + input.body))
                plan.topWasRight = answer.articleKey == nil ? nil : false
                feedback(3)
            } else {
                throw SupportError.invalidOutcome("corrected needs article_id (the article the agent used) or agent_reply")
            }
        case .reopened:
            guard answer.outcome == .resolved else {
                throw SupportError.invalidOutcome("reopened needs an earlier resolved on \(answer.impressionID) "
                    + "(its outcome is \(answer.outcome?.rawValue ?? "none"))")
            }
            plan.terminal = .reopened
            plan.topWasRight = false
            plan.revokeAlias = true
            feedback(5)
        case .csat:
            guard let score = request.csat, (1...5).contains(score) else {
                throw SupportError.invalidOutcome("csat needs a score from 1 to 5, not \(request.csat.map(String.init) ?? "none")")
            }
            feedback(4, csat: UInt8(score))
        }
        if followsFailure {
            plan.topWasRight = nil
            plan.revokeAlias = true   // an earlier "handled without an article" example, now answered by one
        }
        if request.outcome != .csat, request.csat != nil {
            throw SupportError.invalidOutcome("csat is only for the csat outcome")
        }
        return plan
    }

    /// An agent-written article is titled by the question it answered (at most 120 characters).
    static func titleForAgentArticle(question: String) -> String {
        let oneLine = question.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count <= 120 ? oneLine : String(oneLine.prefix(119)) + "…"
    }

    /// Similarity above which an earlier "handled without an article" question is taken
    /// to ask what a newly written agent article answers.
    static let adoptionSimilarity: Float = 0.7

    /// When an agent writes the article that was missing, the earlier questions agents
    /// handled without one nearby become its aliases: the knowledge moves from "no
    /// article" to the new one, so its neighbours are no longer escalated for it.
    func adoptHandledWithoutArticle(near vector: [Float], into article: Article, now: Date) async {
        guard let noArticleGroup = try? noArticleGroup() else { return }
        let collection = configuration.collection
        guard let hits = try? await core.run({ client in try await client.search(collection: collection, query: vector, k: 20) })
        else { return }
        var moved: [(old: Int64, new: Int64)] = []
        do {
            for (id, distance) in zip(hits.ids, hits.distances) where id >= VectorIDs.aliasBase && 1 - distance >= Self.adoptionSimilarity {
                guard aliasDirectory.group(ofVector: id) == noArticleGroup else { continue }
                let oldKey = Int64(id - VectorIDs.aliasBase)
                guard let alias = try store.alias(key: oldKey), alias.active else { continue }
                let newKey = try store.write { w -> Int64 in
                    try w.deactivateAlias(key: oldKey)
                    let key = try w.insertAlias(articleKey: article.key, answerKey: alias.answerKey, question: alias.question,
                                                vector: alias.vector, at: now)
                    try w.enqueue([.delete(ids: [id]),
                                   .upsert(ids: [VectorIDs.alias(key)], vectors: alias.vector,
                                           groups: [VectorIDs.group(article.key)], tags: [["alias"]])])
                    return key
                }
                moved.append((oldKey, newKey))
            }
        } catch {
            logger.warning("questions handled without an article not moved to \(article.id): \(error)")
        }
        for (old, new) in moved {
            aliasDirectory.remove(alias: old)
            aliasDirectory.add(alias: new, article: article.key)
        }
        if !moved.isEmpty { await outbox.flush() }
    }
}

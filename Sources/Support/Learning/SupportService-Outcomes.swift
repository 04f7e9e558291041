import Foundation
import Wire

/// Learn from outcomes: each one is recorded, becomes FEEDBACK for the ranker,
/// and may add or take back an alias or write an article — at once, in one
/// store transaction, delivered to the core through the outbox. What each
/// outcome does is planned in `OutcomePlan.swift`; this file finds the answer,
/// writes the plan and brings the in-memory state and the gaps along.
extension SupportService {
    /// Records an outcome of an answer.
    ///
    /// | outcome | ranker (learning on) | knowledge |
    /// | --- | --- | --- |
    /// | `resolved` | `resolved` on the cited article | the question becomes an alias of it |
    /// | `escalated` | `escalated` on the best candidate | the question becomes an example of what agents handle without an article |
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
        let plan = try plan(request, for: answer)
        let writes = try commit(plan, of: request, for: answer, now: now)
        followInMemory(writes, plan: plan, answer: answer)
        let delivered = await outbox.flush()
        await followInGapsAndAliases(writes, plan: plan, answer: answer, outcome: request.outcome, now: now)
        return try response(writes, plan: plan, answer: answer, delivered: delivered)
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

    /// What an outcome's transaction wrote, for the in-memory state to follow once it committed.
    struct OutcomeWrites {
        /// The article an agent's reply became.
        var createdArticle: Article?
        /// The alias the question became, and its article.
        var addedAlias: (key: Int64, article: Int64)?
        /// The alias taken back.
        var revokedAlias: Int64?
    }

    /// Writes the plan in one transaction: the alias taken back, the agent's article,
    /// the alias added, the outcome event, the answer's update, the agent's turn, and
    /// the core operations that carry it all (FEEDBACK only with learning on).
    func commit(_ plan: OutcomePlan, of request: OutcomeRequest, for answer: AnswerRecord, now: Date) throws -> OutcomeWrites {
        let learning = configuration.learning
        let event = OutcomeEventRecord(answerKey: answer.key, kind: request.outcome, csat: request.csat,
                                       agentReply: request.agentReply, articleID: request.articleID,
                                       eventID: request.eventID, createdAt: now)
        let agentTurn = request.outcome == .corrected || request.outcome == .reopened || request.outcome == .escalated
            ? ConversationTurn(role: .agent, text: request.agentReply ?? "(\(request.outcome.rawValue))", answerKey: answer.key,
                               createdAt: now)
            : nil
        return try store.write { w -> OutcomeWrites in
            var transaction = OutcomeTransaction(writer: w, operations: learning ? plan.feedback : [],
                                                 update: AnswerUpdate(answerKey: answer.key, outcome: plan.terminal,
                                                                      topWasRight: plan.topWasRight))
            if plan.revokeAlias, let aliasKey = answer.aliasKey { try transaction.revokeAlias(aliasKey) }
            if let reply = plan.newArticle { try transaction.writeAgentArticle(reply.input, vector: reply.vector, at: now) }
            let target = try transaction.aliasTarget(plan, at: now)
            if learning, let target, !answer.vector.isEmpty { try transaction.addAlias(of: answer, to: target, at: now) }
            try transaction.finish(event: event, agentTurn: agentTurn, conversationID: answer.conversationID)
            return transaction.writes
        }
    }

    /// The service's memory follows the store: the alias directory, and the policy's
    /// evidence when the outcome judged the answer's best candidate.
    func followInMemory(_ writes: OutcomeWrites, plan: OutcomePlan, answer: AnswerRecord) {
        if let revoked = writes.revokedAlias { aliasDirectory.remove(alias: revoked) }
        if let added = writes.addedAlias { aliasDirectory.add(alias: added.key, article: added.article) }
        if configuration.learning, let right = plan.topWasRight, answer.articleKey != nil {
            policy.observe(topic: answer.topic, lower: answer.lower, right: right)
        }
    }

    /// After delivery: a wrong or missing answer joins its gap; an agent's new article
    /// adopts the questions handled without one nearby and closes the gaps it covers.
    func followInGapsAndAliases(_ writes: OutcomeWrites, plan: OutcomePlan, answer: AnswerRecord, outcome: OutcomeKind,
                                now: Date) async {
        let created = writes.createdArticle
        await noteWrongAnswerForGaps(answer, outcome: outcome, wroteArticle: created != nil)
        if configuration.learning, let created, let vector = plan.newArticle?.vector {
            await adoptHandledWithoutArticle(near: answer.vector.isEmpty ? vector : answer.vector, into: created, now: now)
        }
        if let created, let vector = plan.newArticle?.vector { await noteArticlesChangedForGaps([(created.id, vector)]) }
    }

    /// The reply: the article written, and the published article the question became an alias of.
    func response(_ writes: OutcomeWrites, plan: OutcomePlan, answer: AnswerRecord, delivered: Bool) throws -> OutcomeResponse {
        let created = writes.createdArticle
        let aliasArticle = try (plan.aliasArticle ?? created?.key).flatMap { try store.article(key: $0) }
            .flatMap { $0.status == .published ? $0 : nil }
        return OutcomeResponse(status: "recorded", impressionID: answer.impressionID, delivered: delivered,
                               createdArticle: created.map { ArticleReference(id: $0.id, title: $0.title) },
                               aliasOf: configuration.learning ? aliasArticle.map { ArticleReference(id: $0.id, title: $0.title) } : nil)
    }
}

/// The writes of one outcome inside its store transaction, in the order they must
/// happen (the store's keys, and so the core's vector ids, follow that order).
struct OutcomeTransaction {
    let writer: any SupportStoreWriter
    /// The core operations queued at the end.
    var operations: [CoreOperation]
    /// What changes about the answer.
    var update: AnswerUpdate
    /// What was written, for after the commit.
    var writes = SupportService.OutcomeWrites()

    /// Takes back the answer's alias: inactive in the store, deleted from the core.
    mutating func revokeAlias(_ aliasKey: Int64) throws {
        try writer.deactivateAlias(key: aliasKey)
        operations.append(.delete(ids: [VectorIDs.alias(aliasKey)]))
        update.aliasKey = .some(nil)
        writes.revokedAlias = aliasKey
    }

    /// Writes an agent's reply as an article and queues its vector.
    mutating func writeAgentArticle(_ input: ArticleInput, vector: [Float], at now: Date) throws {
        let written = try writer.upsertArticles([input], origin: .agentReply, at: now)
        guard let article = written.first?.article else { return }
        writes.createdArticle = article
        operations.append(.upsert(ids: [VectorIDs.article(article.key)], vectors: vector,
                                  groups: [VectorIDs.group(article.key)], tags: [VectorIDs.coreTags(article.tags)]))
    }

    /// The article the question becomes an alias of: the plan's, else the agent's new
    /// one, else — for an escalation — the group of questions handled without an
    /// article (created on first use, whether or not the alias is then added).
    func aliasTarget(_ plan: OutcomePlan, at now: Date) throws -> Int64? {
        if let target = plan.aliasArticle ?? writes.createdArticle?.key { return target }
        guard plan.aliasToNoArticle else { return nil }
        return try writer.internalArticle(id: VectorIDs.noArticleID, title: "Handled by an agent without an article", at: now).key
    }

    /// Adds the answer's question as an alias of `target` and queues its vector.
    /// A question already an active alias of `target` in the same words adds nothing: the same
    /// words resolved a thousand times are one vector, not a thousand (the core's index and the
    /// neighbour vote would otherwise grow with every repeat; issue 14's soak found it).
    mutating func addAlias(of answer: AnswerRecord, to target: Int64, at now: Date) throws {
        if try writer.activeAlias(articleKey: target, question: answer.question) != nil { return }
        let aliasKey = try writer.insertAlias(articleKey: target, answerKey: answer.key, question: answer.question,
                                              vector: answer.vector, at: now)
        operations.append(.upsert(ids: [VectorIDs.alias(aliasKey)], vectors: answer.vector,
                                  groups: [VectorIDs.group(target)], tags: [["alias"]]))
        update.aliasKey = .some(aliasKey)
        writes.addedAlias = (aliasKey, target)
    }

    /// Records the event, updates the answer, adds the agent's turn and queues the core operations.
    func finish(event: OutcomeEventRecord, agentTurn: ConversationTurn?, conversationID: String) throws {
        try writer.insertOutcome(event)
        try writer.updateAnswer(update)
        if let agentTurn { try writer.appendTurns(conversationID: conversationID, context: [:], turns: [agentTurn]) }
        try writer.enqueue(operations)
    }
}

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
    /// | `resolved` (an answer) | `resolved` on the cited article | the question becomes an alias of it |
    /// | `resolved` (an escalation the agent solved with the suggestion: `article_id`, or a reply close to its passage) | `resolved` on it | the question becomes an alias of it |
    /// | `resolved` (an escalation solved with another named article) | `corrected` (that article used instead) | the question becomes an alias of that article |
    /// | `resolved` (an escalation with no evidence the suggestion was used) | — | the question becomes an example of what agents handle without an article |
    /// | `escalated` | `escalated` on the best candidate | the question becomes an example of what agents handle without an article |
    /// | `corrected` + `article_id` | `corrected` (that article used instead), or `resolved` when it was the best candidate | the question becomes an alias of that article |
    /// | `corrected` + `agent_reply` | `corrected` | the reply becomes a new article (a draft with `--agent-articles review`) |
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
        if let source = request.source {
            guard !source.isEmpty, source.utf8.count <= 64 else { throw SupportError.invalidOutcome("source must be 1–64 bytes") }
        }
        let answer = try resolveAnswer(request)
        if let eventID = request.eventID, try store.hasEvent(id: eventID) {
            return OutcomeResponse(status: "duplicate", impressionID: answer.impressionID,
                                   delivered: try store.pendingOperationCount() == 0)
        }
        do {
            return try await apply(try plan(request, for: answer), of: request, for: answer)
        } catch SupportError.duplicateEvent {
            // Another instance on the store recorded the same event between the check above and this write.
            return OutcomeResponse(status: "duplicate", impressionID: answer.impressionID,
                                   delivered: try store.pendingOperationCount() == 0)
        }
    }

    /// Writes a plan, brings memory along, delivers it, and follows it in gaps and aliases.
    func apply(_ plan: OutcomePlan, of request: OutcomeRequest, for answer: AnswerRecord) async throws -> OutcomeResponse {
        let now = clock.now
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
        /// The alias the question became, its article, and whether it votes (not for a draft).
        var addedAlias: (key: Int64, article: Int64, votes: Bool, context: [ContextHash])?
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
        let evidence = LearningEvidence(impressionID: answer.impressionID, outcome: request.outcome.rawValue, eventID: request.eventID,
                                        source: request.source ?? "api", attribution: plan.attribution?.evidenceName,
                                        similarity: plan.attribution?.similarity.map(Double.init), receivedAt: now)
        let draft = configuration.agentArticles == .review
        let agentTurn = request.outcome == .corrected || request.outcome == .reopened || request.outcome == .escalated
            ? ConversationTurn(role: .agent, text: request.agentReply ?? "(\(request.outcome.rawValue))", answerKey: answer.key,
                               createdAt: now)
            : nil
        return try writeLearning { w -> OutcomeWrites in
            var transaction = OutcomeTransaction(writer: w, operations: learning ? plan.feedback : [],
                                                 update: AnswerUpdate(answerKey: answer.key, outcome: plan.terminal,
                                                                      topWasRight: plan.topWasRight))
            if plan.revokeAlias, let aliasKey = answer.aliasKey {
                try transaction.revokeAlias(aliasKey, reason: plan.revokeReason, at: now)
            }
            if let reply = plan.newArticle {
                try transaction.writeAgentArticle(reply.input, vector: reply.vector, draft: draft, evidence: evidence, at: now)
            }
            let target = try transaction.aliasTarget(plan, at: now)
            if learning, let target, !answer.vector.isEmpty {
                try transaction.addAlias(of: answer, to: target, origin: plan.aliasOrigin(outcome: request.outcome), evidence: evidence, at: now)
            }
            try transaction.finish(event: event, agentTurn: agentTurn, conversationID: answer.conversationID)
            return transaction.writes
        }
    }

    /// The service's memory follows the store: the alias directory, and the policy's
    /// evidence when the outcome judged the answer's best candidate.
    func followInMemory(_ writes: OutcomeWrites, plan: OutcomePlan, answer: AnswerRecord) {
        if let revoked = writes.revokedAlias { aliasDirectory.remove(alias: revoked) }
        if let added = writes.addedAlias, added.votes {
            aliasDirectory.add(alias: added.key, article: added.article, context: added.context)
        }
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
        // A draft teaches nothing until it is published (``SupportService/publishArticle(id:)`` does this then).
        guard let created, created.status == .published, let vector = plan.newArticle?.vector else { return }
        if configuration.learning {
            await adoptHandledWithoutArticle(near: answer.vector.isEmpty ? vector : answer.vector, into: created, now: now)
        }
        await noteArticlesChangedForGaps([(created.id, vector)])
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
    mutating func revokeAlias(_ aliasKey: Int64, reason: AliasEnd, at now: Date) throws {
        try writer.endAlias(key: aliasKey, reason: reason, at: now)
        operations.append(.delete(ids: [VectorIDs.alias(aliasKey)]))
        update.aliasKey = .some(nil)
        writes.revokedAlias = aliasKey
    }

    /// Writes an agent's reply as an article and queues its vector — or, as a draft, keeps it out of the core.
    mutating func writeAgentArticle(_ input: ArticleInput, vector: [Float], draft: Bool, evidence: LearningEvidence,
                                    at now: Date) throws {
        let written = try writer.upsertArticles([input], origin: .agentReply, status: draft ? .draft : .published,
                                                evidence: evidence, at: now)
        guard let article = written.first?.article else { return }
        writes.createdArticle = article
        if draft { return }
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
    /// An alias of a draft is stored but not sent: it votes once the draft is published.
    mutating func addAlias(of answer: AnswerRecord, to target: Int64, origin: LearnedOrigin, evidence: LearningEvidence,
                           at now: Date) throws {
        if try writer.activeAlias(articleKey: target, question: answer.question) != nil { return }
        let aliasKey = try writer.insertAlias(articleKey: target, answerKey: answer.key, question: answer.question,
                                              vector: answer.vector, origin: origin, evidence: evidence, context: answer.context, at: now)
        let votes = !(writes.createdArticle?.key == target && writes.createdArticle?.status == .draft)
        if votes {
            operations.append(.upsert(ids: [VectorIDs.alias(aliasKey)], vectors: answer.vector,
                                      groups: [VectorIDs.group(target)], tags: [["alias"]]))
        }
        update.aliasKey = .some(aliasKey)
        writes.addedAlias = (aliasKey, target, votes, answer.context)
    }

    /// Records the event, updates the answer, adds the agent's turn and queues the core operations.
    func finish(event: OutcomeEventRecord, agentTurn: ConversationTurn?, conversationID: String) throws {
        try writer.insertOutcome(event)
        try writer.updateAnswer(update)
        if let agentTurn { try writer.appendTurns(conversationID: conversationID, context: [:], turns: [agentTurn]) }
        try writer.enqueue(operations)
    }
}

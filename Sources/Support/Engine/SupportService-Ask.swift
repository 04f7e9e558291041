import Foundation
import Wire

/// Ask and decide: a question in its conversation → RANK in the core → the
/// escalation policy → an extractive answer, recorded with its reason.
extension SupportService {
    /// Answers a question, or escalates it.
    /// - Throws: ``SupportError/emptyQuestion``, ``SupportError/questionTooLong(bytes:limit:)``,
    ///   ``SupportError/invalidRequest(_:)`` (a context tag or vector that cannot be used),
    ///   ``SupportError/coreUnavailable(reason:retryAfter:)``.
    public func ask(_ request: AskRequest) async throws -> AskResponse {
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SupportError.emptyQuestion }
        guard text.utf8.count <= AskRequest.maxTextBytes else {
            throw SupportError.questionTooLong(bytes: text.utf8.count, limit: AskRequest.maxTextBytes)
        }
        if let id = request.conversationID, id.isEmpty || id.utf8.count > 200 {
            throw SupportError.invalidRequest("conversation_id must be 1–200 bytes")
        }
        let now = clock.now
        let conversationID = request.conversationID ?? "c_" + UUID().uuidString.lowercased()
        let contextTags = try Self.contextTags(request.context)

        // Session memory: a follow-up is ranked with the conversation's earlier question.
        let previous = request.conversationID == nil ? nil : try store.latestAnswer(conversationID: conversationID)
        var vector: [Float]
        if let given = request.vector {
            guard given.count == embedder.dimension, given.allSatisfy(\.isFinite) else {
                throw SupportError.invalidRequest("vector must have \(embedder.dimension) finite components")
            }
            vector = given
        } else {
            vector = embedder.embed(text)
        }
        let questionVector = vector
        if let previous, previous.vector.count == vector.count {
            vector = Self.blend(vector, with: previous.vector, weight: Self.followUpWeight(text))
        }
        var callerFeatures: [CallerFeature] = []
        if let topic = previous?.articleKey {
            callerFeatures.append(CallerFeature(name: "previous_topic_match", groups: [VectorIDs.group(topic)], values: [1]))
        }

        let collection = configuration.collection
        let shown = configuration.candidatesShown, searched = configuration.candidatesSearched
        let queryVector = vector
        // The nearest vectors' similarity-weighted vote per article is the ranker's
        // `intent_confidence`; it also tells when the nearest questions are ones agents
        // handled without any article.
        let noArticle = try noArticleGroup()
        let vote: NeighbourVote? = configuration.learning ? try await core.run { client in
            let hits = try await client.search(collection: collection, query: queryVector, k: searched)
            return NeighbourVote(ids: hits.ids, distances: hits.distances, directory: aliasDirectory)
        } : nil
        if let vote, !vote.shares.isEmpty {
            callerFeatures.append(CallerFeature(name: "intent_confidence", values: vote.shares.filter { $0.key != noArticle }))
        }
        let rankFeatures = callerFeatures
        let ranked = try await core.run { client in
            try await client.rank(collection: collection, query: queryVector, k: shown, candidates: searched,
                                  withFeatures: false, contextTags: contextTags, callerFeatures: rankFeatures)
        }
        let noArticleShare = noArticle.flatMap { vote?.shares[$0] } ?? 0
        let handledWithoutArticle = noArticle != nil
            && (noArticleShare >= configuration.noArticleShare || ranked.groups.first?.group == noArticle)
        let articles = try store.articles(keys: ranked.groups.map { VectorIDs.articleKey(group: $0.group) })
        let candidates = ranked.groups.filter { articles[VectorIDs.articleKey(group: $0.group)]?.status == .published }
        let sources = candidates.map { item -> AnswerSource in
            let article = articles[VectorIDs.articleKey(group: item.group)]!
            return AnswerSource(id: article.id, title: article.title, score: item.score.score, similarity: Double(item.bestSimilarity))
        }

        let decision: Decision, threshold: Double, reason: String
        let best = candidates.first
        let bestArticle = best.flatMap { articles[VectorIDs.articleKey(group: $0.group)] }
        if handledWithoutArticle, let best {
            decision = .escalate
            threshold = policy.threshold(topic: bestArticle?.topic)
            reason = "escalate: \(Int((noArticleShare * 100).rounded())) % of the nearest questions' vote is for ones agents handled without an article "
                + "(best article candidate's lower bound \(fmt(best.score.lower)))"
        } else if let best, let bestArticle {
            // Learning off (the baseline), the ranker never narrows its bounds: it decides on the mean.
            let bound = configuration.learning ? best.score.lower : best.score.score
            (decision, threshold, reason) = policy.decide(topic: bestArticle.topic, score: best.score.score, lower: bound)
        } else {
            decision = .escalate
            threshold = policy.threshold(topic: nil)
            reason = ranked.groups.isEmpty ? "escalate: the knowledge base has nothing near this question"
                                           : "escalate: the nearest articles are archived"
        }
        // Escalating, the passage is still returned: it is the suggestion handed to the agent.
        let answerText = bestArticle.map { PassageExtractor.passage(for: text, in: $0) } ?? ""

        var record = AnswerRecord(key: 0, coreImpression: ranked.impression, generation: currentGeneration,
                                  conversationID: conversationID, question: text, vector: questionVector,
                                  articleKey: bestArticle?.key, shownGroups: ranked.groups.map(\.group),
                                  topic: bestArticle?.topic, decision: decision, reason: reason,
                                  score: best?.score.score ?? 0, lower: best?.score.lower ?? 0, upper: best?.score.upper ?? 0,
                                  threshold: threshold, createdAt: now)
        let context = request.context
        record.key = try store.write { w -> Int64 in
            try w.appendTurns(conversationID: conversationID, context: context,
                              turns: [ConversationTurn(role: .customer, text: text, answerKey: nil, createdAt: now)])
            let key = try w.insertAnswer(record)
            try w.appendTurns(conversationID: conversationID, context: [:], turns: [
                ConversationTurn(role: .service, text: decision == .answer ? answerText : "(escalated to an agent)",
                                 answerKey: key, createdAt: now),
            ])
            return key
        }
        await noteAskedForGaps(record, bestSimilarity: best?.bestSimilarity, context: request.context)
        return AskResponse(decision: decision, article: bestArticle.map { ArticleReference(id: $0.id, title: $0.title) },
                           answer: answerText, score: record.score, lower: record.lower, upper: record.upper,
                           sources: sources, impressionID: record.impressionID, conversationID: conversationID,
                           reason: reason, topic: record.topic, threshold: threshold)
    }

    /// Account context as the core's context tags: `key:value`, each 1–255 bytes, at most 64.
    static func contextTags(_ context: [String: String]) throws -> [String] {
        guard context.count <= 64 else { throw SupportError.invalidRequest("context has \(context.count) keys; at most 64") }
        return try context.sorted { $0.key < $1.key }.map { key, value in
            let tag = "\(key):\(value)"
            guard !key.isEmpty, tag.utf8.count <= 255 else {
                throw SupportError.invalidRequest("context \"\(key)\" must have a non-empty key and key:value of at most 255 bytes")
            }
            return tag
        }
    }

    /// How much a follow-up leans on the conversation's previous question: a short
    /// message ("it still doesn't work") is mostly understood through it.
    static func followUpWeight(_ text: String) -> Float {
        TextTokens.words(text).count <= 4 ? 1.0 : 0.35
    }

    static func blend(_ a: [Float], with b: [Float], weight: Float) -> [Float] {
        var out = zip(a, b).map { $0 + weight * $1 }
        let norm = out.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in out.indices { out[i] /= norm } }
        return out
    }

    /// The group of questions agents handled without an article, once it exists. Its
    /// store key never changes, so it is read from the store until found, then remembered.
    func noArticleGroup() throws -> UInt64? {
        if let known = noArticleGroupCache.withLock({ $0 }) { return known }
        guard let article = try store.article(id: VectorIDs.noArticleID) else { return nil }
        let group = VectorIDs.group(article.key)
        noArticleGroupCache.withLock { $0 = group }
        return group
    }
}

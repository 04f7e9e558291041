import Foundation
import Wire

/// Ask and decide: a question in its conversation → the neighbours' vote →
/// RANK in the core → the escalation rule → an extractive answer, recorded with
/// its reason. Each step below is one function; the query is built in
/// `AskQuery.swift`, the decision made in `Escalation/EscalationDecision.swift`.
extension SupportService {
    /// Answers a question, or escalates it.
    /// - Throws: ``SupportError/emptyQuestion``, ``SupportError/questionTooLong(bytes:limit:)``,
    ///   ``SupportError/invalidRequest(_:)`` (a context tag or vector that cannot be used),
    ///   ``SupportError/coreUnavailable(reason:retryAfter:)``.
    public func ask(_ request: AskRequest) async throws -> AskResponse {
        try followOtherInstances()
        let query = try await makeQuery(request)
        let noArticle = try noArticleGroup()
        let vote = configuration.learning ? try await neighbourVote(query) : nil
        let ranking = try await rank(query, vote: vote, noArticle: noArticle)
        let candidates = try readCandidates(ranking)
        let decision = EscalationDecision(
            best: candidates.bestForDecision, rankedAnything: !ranking.groups.isEmpty,
            noArticle: noArticle.map { group in
                EscalationDecision.NoArticleEvidence(share: vote?.shares[group] ?? 0, rankedFirst: ranking.groups.first?.group == group)
            },
            policy: policy, configuration: configuration)
        // The topic's roll-out mode: live acts on the decision; shadow keeps it as what live
        // would have done and hands the question over; off stays out.
        let mode = self.mode(ofTopic: candidates.best?.article.topic)
        let acted = ModedDecision(decision, mode: mode, topic: candidates.best?.article.topic)
        // Escalating, the passage is still returned: it is the suggestion handed to the agent (not when off).
        let best = mode == .off ? nil : candidates.best
        let answerText = best.map { PassageExtractor.passage(for: query.text, in: $0.article) } ?? ""
        let record = try await recordAnswer(query, candidates: candidates, decision: acted, answerText: answerText,
                                      context: request.context)
        await noteAskedForGaps(record, bestSimilarity: candidates.best?.item.bestSimilarity, context: request.context)
        return AskResponse(decision: acted.decision, article: best.map { ArticleReference(id: $0.article.id, title: $0.article.title) },
                           answer: answerText, score: record.score, lower: record.lower, upper: record.upper,
                           sources: mode == .off ? [] : candidates.sources, impressionID: record.impressionID,
                           conversationID: query.conversationID, reason: acted.reason, topic: record.topic,
                           threshold: decision.threshold, mode: mode, shadowDecision: acted.shadowDecision)
    }

    /// The policy's decision as the topic's mode lets it act.
    struct ModedDecision {
        /// What the service does: the policy's decision when live, `escalate` otherwise.
        var decision: Decision
        /// In shadow, what live would have decided.
        var shadowDecision: Decision?
        /// The mode.
        var mode: TopicMode
        /// The reason, with the mode's part in it.
        var reason: String
        /// The bound the topic needed.
        var threshold: Double

        init(_ policy: EscalationDecision, mode: TopicMode, topic: String?) {
            self.mode = mode
            threshold = policy.threshold
            let name = topic ?? "(none)"
            switch mode {
            case .live:
                decision = policy.decision
                reason = policy.reason
            case .shadow:
                decision = .escalate
                shadowDecision = policy.decision
                reason = "shadow: topic \(name) is in shadow, so an agent answers; live would \(policy.reason)"
            case .off:
                decision = .escalate
                reason = "escalate: topic \(name) is off"
            }
        }
    }

    /// The similarity-weighted vote of the nearest vectors — articles and learned
    /// aliases — per article (``NeighbourVote``), from a plain SEARCH; with context
    /// learning on, conditioned on the question's context (``ContextEvidence``).
    func neighbourVote(_ query: AskQuery) async throws -> NeighbourVote {
        let collection = configuration.collection, searched = configuration.candidatesSearched
        let vector = query.searchVector
        var vote = try await core.run { client in
            let hits = try await client.search(collection: collection, query: vector, k: searched)
            return NeighbourVote(ids: hits.ids, distances: hits.distances, directory: aliasDirectory)
        }
        if configuration.contextLearning {
            vote.condition(onLogLifts: aliasDirectory.contextLogLifts(of: vote.shares.keys, given: query.context))
        }
        return vote
    }

    /// RANK in the core with the caller features the service knows: the previous
    /// topic, and the vote as `intent_confidence` (the no-article group left out:
    /// it is not an answer the ranker could learn to prefer).
    func rank(_ query: AskQuery, vote: NeighbourVote?, noArticle: UInt64?) async throws -> RankResponse {
        var callerFeatures = query.previousTopicFeature
        if let vote, !vote.shares.isEmpty {
            callerFeatures.append(CallerFeature(name: "intent_confidence", values: vote.shares.filter { $0.key != noArticle }))
        }
        let collection = configuration.collection
        let shown = configuration.candidatesShown, searched = configuration.candidatesSearched
        let vector = query.searchVector, contextTags = query.contextTags, features = callerFeatures
        return try await core.run { client in
            try await client.rank(collection: collection, query: vector, k: shown, candidates: searched,
                                  withFeatures: false, contextTags: contextTags, callerFeatures: features)
        }
    }

    /// The ranked groups' articles, read from the store: which of them may be cited.
    func readCandidates(_ ranking: RankResponse) throws -> RankedCandidates {
        let articles = try store.articles(keys: ranking.groups.map { VectorIDs.articleKey(group: $0.group) })
        return RankedCandidates(ranking, articles: articles)
    }

    /// Stores the question, the answer (or escalation) and the service's turn in
    /// one transaction (``SupportStore/recordAsked(_:context:customerTurn:serviceTurn:)``), on a
    /// thread of ``BlockingStoreCalls`` (not a cooperative one).
    /// - Returns: the answer as stored, with its key.
    func recordAnswer(_ query: AskQuery, candidates: RankedCandidates, decision: ModedDecision, answerText: String,
                      context: [String: String]) async throws -> AnswerRecord {
        // Off, the service stays out: no article is recorded as its suggestion.
        let best = decision.mode == .off ? nil : candidates.best
        var record = AnswerRecord(key: 0, coreImpression: candidates.ranking.impression, generation: currentGeneration,
                                  conversationID: query.conversationID, question: query.text, vector: query.questionVector,
                                  articleKey: best?.article.key, shownGroups: candidates.ranking.groups.map(\.group),
                                  topic: candidates.best?.article.topic, decision: decision.decision, reason: decision.reason,
                                  score: best?.item.score.score ?? 0, lower: best?.item.score.lower ?? 0,
                                  upper: best?.item.score.upper ?? 0, threshold: decision.threshold, createdAt: query.askedAt,
                                  mode: decision.mode, shadowDecision: decision.shadowDecision, context: query.context)
        let customerTurn = ConversationTurn(role: .customer, text: query.text, answerKey: nil, createdAt: query.askedAt)
        let serviceTurn = ConversationTurn(role: .service, text: decision.decision == .answer ? answerText : "(escalated to an agent)",
                                           answerKey: nil, createdAt: query.askedAt)
        let answer = record, store = self.store
        record.key = try await BlockingStoreCalls.shared.run {
            try store.recordAsked(answer, context: context, customerTurn: customerTurn, serviceTurn: serviceTurn)
        }
        return record
    }

    /// The group of questions agents handled without an article, once it exists. Its
    /// store key never changes, so once found it is remembered; until then, that it is not
    /// there is remembered for as long as the learned state stands (only a learning write —
    /// an outcome, here or on another instance — creates it), so an ask reads the store for
    /// it only after learning moved.
    func noArticleGroup() throws -> UInt64? {
        let version = learnedStateMark.withLock { $0.version }
        switch noArticleGroupCache.withLock({ $0 }) {
        case .present(let group): return group
        case .absent(let atVersion) where atVersion == version: return nil
        case .absent, .unknown: break
        }
        guard let article = try store.article(id: VectorIDs.noArticleID) else {
            noArticleGroupCache.withLock { $0 = .absent(atVersion: version) }
            return nil
        }
        let group = VectorIDs.group(article.key)
        noArticleGroupCache.withLock { $0 = .present(group) }
        return group
    }
}

/// What ``SupportService/noArticleGroup()`` knows of the no-article group.
enum NoArticleGroupLookup: Sendable {
    /// Not looked up yet.
    case unknown
    /// Not in the store when the learned state was at this version.
    case absent(atVersion: Int)
    /// Its group id (it never changes once created).
    case present(UInt64)
}

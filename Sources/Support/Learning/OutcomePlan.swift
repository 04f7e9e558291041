import Foundation
import Wire

/// What one outcome does, worked out before anything is written (DESIGN.md "The
/// learning loop", step 3): the FEEDBACK the ranker gets, whether the answer was
/// right, the alias the question becomes or loses, the article an agent's reply
/// becomes. `SupportService-Outcomes.swift` then writes it in one transaction.
///
/// One function per outcome, below: ``resolve(_:)``, ``escalate(_:)``,
/// ``SupportService/planCorrection(_:of:into:)``, ``reopen(_:)`` (a reopened
/// ticket takes back the credit and the alias its resolution gave) and
/// ``rate(_:)``. An outcome only credits what it proves: an agent who corrects
/// an answer that was already escalated or reopened updates the knowledge, not
/// the ranker, which had its negative outcome.
struct OutcomePlan {
    /// FEEDBACK for the ranker (queued only with learning on).
    var feedback: [CoreOperation] = []
    /// The terminal outcome the answer gets; nil for `csat`, which is not terminal.
    var terminal: OutcomeKind?
    /// Whether the best candidate proved right: a judged answer, the escalation policy's evidence.
    var topWasRight: Bool?
    /// The article the question becomes an alias of.
    var aliasArticle: Int64?
    /// An agent's reply as a new article, with its embedding.
    var newArticle: (input: ArticleInput, vector: [Float])?
    /// Take back the alias the answer's resolution added.
    var revokeAlias = false
    /// Why the alias is taken back: a reopen, a person's undo, or an answer that supersedes an earlier example.
    var revokeReason = AliasEnd.superseded
    /// The question becomes an example of what agents handle without an article.
    var aliasToNoArticle = false
    /// How an agent's solve of an escalated question was tied to the suggestion (evidence).
    var attribution: SolveAttribution?

    /// What taught the alias this plan adds, for its evidence.
    func aliasOrigin(outcome: OutcomeKind) -> LearnedOrigin {
        if aliasArticle == nil { return newArticle != nil ? .agentReply : .escalated }
        return outcome == .corrected ? .corrected : .resolved
    }

    /// Where FEEDBACK goes: nil when the answer had no candidate, the candidate was not
    /// shown in the impression, or the ranker already heard the answer's outcome.
    private let feedbackTarget: (generation: Int, impression: UInt64, group: UInt64)?

    /// An empty plan for an outcome of `answer`.
    /// - Parameter followsFailure: an agent's correction after an escalation or a reopen.
    init(answer: AnswerRecord, followsFailure: Bool) {
        if let group = answer.articleKey.map(VectorIDs.group), answer.shownGroups.contains(group), !followsFailure {
            feedbackTarget = (answer.generation, answer.coreImpression, group)
        } else {
            feedbackTarget = nil
        }
    }

    /// Queues FEEDBACK on the answer's best candidate, when the ranker may hear about it.
    mutating func addFeedback(_ code: UInt8, instead: UInt64? = nil, csat: UInt8? = nil) {
        guard let target = feedbackTarget else { return }
        feedback.append(.feedback(generation: target.generation, impression: target.impression, group: target.group,
                                  outcome: code, groupUsedInstead: instead, csat: csat))
    }

    /// `resolved` after an escalation: the agent's resolution. It credits the suggested article
    /// only when ``SolveAttribution`` finds it was used; an article the event names instead is
    /// credited as a correction would; with no evidence the suggestion counts as not used — no
    /// FEEDBACK, no judged answer — and the question is an example handled without an article.
    mutating func resolveAgentSolve(_ answer: AnswerRecord, attribution: SolveAttribution) {
        self.attribution = attribution
        terminal = .resolved
        switch attribution {
        case .namedSuggestion, .replyMatches:
            topWasRight = true
            aliasArticle = answer.articleKey
            addFeedback(FeedbackCode.resolved)
        case let .namedOther(used):
            aliasArticle = used.key
            topWasRight = answer.articleKey == nil ? nil : false
            addFeedback(FeedbackCode.corrected, instead: VectorIDs.group(used.key))
        case .notUsed:
            aliasToNoArticle = true
        }
    }

    /// `resolved`: the cited article solved it; the question becomes its alias.
    /// - Throws: ``SupportError/invalidOutcome(_:)`` when the answer suggested no article.
    mutating func resolve(_ answer: AnswerRecord) throws {
        guard let key = answer.articleKey else {
            throw SupportError.invalidOutcome("\(answer.impressionID) suggested no article; report corrected with article_id or agent_reply")
        }
        terminal = .resolved
        topWasRight = true
        aliasArticle = key
        addFeedback(FeedbackCode.resolved)
    }

    /// `escalated`: a person took over. The suggested article (if any) was wrong, and the
    /// question becomes an example of what agents handle without an article.
    mutating func escalate(_ answer: AnswerRecord) {
        terminal = .escalated
        aliasToNoArticle = true
        if answer.articleKey != nil {
            topWasRight = false
            addFeedback(FeedbackCode.escalated)
        }
    }

    /// `reopened`: a resolved ticket came back. It takes back the credit it gave — the
    /// answer is judged wrong, the ranker gets `reopened` — and the alias its resolution added.
    /// - Throws: ``SupportError/invalidOutcome(_:)`` unless the answer's outcome is `resolved`.
    mutating func reopen(_ answer: AnswerRecord) throws {
        guard answer.outcome == .resolved else {
            throw SupportError.invalidOutcome("reopened needs an earlier resolved on \(answer.impressionID) "
                + "(its outcome is \(answer.outcome?.rawValue ?? "none"))")
        }
        terminal = .reopened
        topWasRight = false
        revokeAlias = true
        revokeReason = .reopened
        addFeedback(FeedbackCode.reopened)
    }

    /// `csat`: a rating for the ranker; nothing else changes.
    /// - Throws: ``SupportError/invalidOutcome(_:)`` unless `score` is 1–5.
    mutating func rate(_ score: Int?) throws {
        guard let score, (1...5).contains(score) else {
            throw SupportError.invalidOutcome("csat needs a score from 1 to 5, not \(score.map(String.init) ?? "none")")
        }
        addFeedback(FeedbackCode.csat, csat: UInt8(score))
    }
}

extension SupportService {
    /// The plan of `request` for `answer`.
    /// - Throws: ``SupportError/invalidOutcome(_:)`` for an outcome the answer cannot take (a second
    ///   terminal outcome, a reopen without a resolution, a bad rating, `csat` on another outcome);
    ///   ``SupportError/unknownArticle(_:)`` for a correction naming an article that is not published.
    func plan(_ request: OutcomeRequest, for answer: AnswerRecord) throws -> OutcomePlan {
        // One terminal outcome per answer — except that an agent may still correct an
        // answer that was escalated or reopened (the helpdesk's natural sequence): the
        // ranker already has its negative outcome, so only the knowledge is updated.
        let followsFailure = request.outcome == .corrected && (answer.outcome == .escalated || answer.outcome == .reopened)
        if let previous = answer.outcome, request.outcome != .csat, request.outcome != .reopened, !followsFailure {
            throw SupportError.invalidOutcome("\(answer.impressionID) already has the outcome \(previous.rawValue)"
                + (previous == .resolved ? "; send reopened to take the resolution back" : ""))
        }
        var plan = OutcomePlan(answer: answer, followsFailure: followsFailure)
        switch request.outcome {
        case .resolved where answer.decision == .escalate: plan.resolveAgentSolve(answer, attribution: try attribute(request, to: answer))
        case .resolved: try plan.resolve(answer)
        case .escalated: plan.escalate(answer)
        case .corrected:
            plan.terminal = followsFailure ? answer.outcome : .corrected
            try planCorrection(request, of: answer, into: &plan)
        case .reopened: try plan.reopen(answer)
        case .csat: try plan.rate(request.csat)
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

    /// How an agent's solve of `answer` (an escalation) relates to its suggestion (``SolveAttribution``).
    /// - Throws: ``SupportError/unknownArticle(_:)`` for an `article_id` that is not published;
    ///   ``SupportError/invalidOutcome(_:)`` for a reply over 100,000 bytes.
    func attribute(_ request: OutcomeRequest, to answer: AnswerRecord) throws -> SolveAttribution {
        var named: Article?
        if let articleID = request.articleID {
            guard let used = try store.article(id: articleID), used.status == .published else { throw SupportError.unknownArticle(articleID) }
            named = used
        }
        if let reply = request.agentReply, reply.utf8.count > 100_000 {
            throw SupportError.invalidOutcome("agent_reply is longer than 100,000 bytes")
        }
        let suggested = try answer.articleKey.flatMap { try store.article(key: $0) }.flatMap { $0.status == .published ? $0 : nil }
        return SolveAttribution.attribute(suggested: suggested, named: named, reply: request.agentReply, question: answer.question,
                                          embedder: embedder)
    }

    /// `corrected`: an agent answered instead, with an existing article (the question
    /// becomes its alias; the suggestion was right only if it was that article) or with
    /// their own reply (which becomes a new article at once, redacted by ``ReplyRedactor``; a
    /// reply with too few words left is no article, and the question an example handled without one).
    /// - Throws: ``SupportError/unknownArticle(_:)``, ``SupportError/invalidOutcome(_:)``.
    func planCorrection(_ request: OutcomeRequest, of answer: AnswerRecord, into plan: inout OutcomePlan) throws {
        if let articleID = request.articleID {
            guard let used = try store.article(id: articleID), used.status == .published else {
                throw SupportError.unknownArticle(articleID)
            }
            plan.aliasArticle = used.key
            if used.key == answer.articleKey {
                plan.topWasRight = true
                plan.addFeedback(FeedbackCode.resolved)
            } else {
                plan.topWasRight = answer.articleKey == nil ? nil : false
                plan.addFeedback(FeedbackCode.corrected, instead: VectorIDs.group(used.key))
            }
        } else if let reply = request.agentReply?.trimmingCharacters(in: .whitespacesAndNewlines), !reply.isEmpty {
            guard reply.utf8.count <= 100_000 else { throw SupportError.invalidOutcome("agent_reply is longer than 100,000 bytes") }
            // Nothing private becomes knowledge: the reply is redacted, and one with too little
            // left to be an article keeps the question as an example handled without one.
            if let input = Self.agentArticle(answering: answer, reply: reply) {
                plan.newArticle = (input, embedder.embed(input.title + "\n" + input.body))
            } else {
                plan.aliasToNoArticle = true
            }
            plan.topWasRight = answer.articleKey == nil ? nil : false
            plan.addFeedback(FeedbackCode.corrected)
        } else {
            throw SupportError.invalidOutcome("corrected needs article_id (the article the agent used) or agent_reply")
        }
    }
}

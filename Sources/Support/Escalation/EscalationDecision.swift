/// Answer or escalate one question — the whole rule, in one place (DESIGN.md
/// "The learning loop", step 2) — with the bound the question needed and the
/// reason in words.
///
/// In order:
/// 1. When the nearest questions are ones agents handled without any article —
///    that group holds at least ``SupportConfiguration/noArticleShare`` of the
///    neighbour vote, or the ranker put it first — the question is escalated,
///    whatever the best article scores: it is probably one of theirs.
/// 2. Otherwise the best published candidate is held to its topic's threshold
///    (``EscalationPolicy/decide(topic:score:lower:)``): its lower bound with
///    learning on; with learning off (the replay's baseline) the ranker never
///    narrows its bounds, so the mean score is judged against a fixed threshold
///    (``policyConfiguration(for:)``).
/// 3. Without a published candidate the question is escalated: nothing is near,
///    or only archived articles are.
struct EscalationDecision: Equatable, Sendable {
    /// The best published candidate, as the rule reads it.
    struct Candidate: Equatable, Sendable {
        /// Its article's topic (``Article/topic``): whose threshold applies.
        var topic: String
        /// The ranker's P(resolved).
        var score: Double
        /// The lower end of its interval.
        var lower: Double
    }

    /// What the nearest questions say about the group of questions agents handled without an article.
    struct NoArticleEvidence: Equatable, Sendable {
        /// The group's share of the neighbour vote (0 with learning off: there is no vote).
        var share: Float
        /// Whether the ranker put the group first.
        var rankedFirst: Bool
    }

    /// Answer or escalate.
    var decision: Decision
    /// The lower bound the question's topic needed.
    var threshold: Double
    /// Why, for people: shown in the response, stored with the answer.
    var reason: String

    /// Decides for one question.
    /// - Parameters:
    ///   - best: the best published candidate; nil when there is none.
    ///   - rankedAnything: whether the core ranked any group at all (archived articles and
    ///     the service's internal groups included).
    ///   - noArticle: the no-article group's evidence; nil while that group does not exist.
    ///   - policy: the learned thresholds.
    ///   - configuration: `learning` and `noArticleShare`.
    init(best: Candidate?, rankedAnything: Bool, noArticle: NoArticleEvidence?, policy: EscalationPolicy,
         configuration: SupportConfiguration) {
        let handledWithoutArticle = noArticle.map { $0.share >= configuration.noArticleShare || $0.rankedFirst } ?? false
        if handledWithoutArticle, let best, let noArticle {
            decision = .escalate
            threshold = policy.threshold(topic: best.topic)
            reason = "escalate: \(Int((noArticle.share * 100).rounded())) % of the nearest questions' vote is for ones agents "
                + "handled without an article (best article candidate's lower bound \(NumberText.probability(best.lower)))"
        } else if let best {
            let bound = configuration.learning ? best.lower : best.score
            (decision, threshold, reason) = policy.decide(topic: best.topic, score: best.score, lower: bound)
        } else {
            decision = .escalate
            threshold = policy.threshold(topic: nil)
            reason = rankedAnything ? "escalate: the nearest articles are archived"
                                    : "escalate: the knowledge base has nothing near this question"
        }
    }

    /// The policy's settings for a service: its own, except that with learning off
    /// the threshold is fixed — the configured one, else
    /// ``EscalationPolicy/Configuration/baselineThreshold`` — since no outcome will move it.
    static func policyConfiguration(for configuration: SupportConfiguration) -> EscalationPolicy.Configuration {
        var policy = configuration.policy
        if !configuration.learning { policy.fixedThreshold = policy.fixedThreshold ?? policy.baselineThreshold }
        return policy
    }
}

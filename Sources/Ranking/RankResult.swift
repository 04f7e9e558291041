/// A score with its uncertainty, in probability space.
public struct ScoreInterval: Sendable, Equatable, Codable {
    /// The model's estimate of P(resolved | query, group): σ(logit).
    public var probability: Double
    /// σ(logit − width): the lower confidence bound the escalation policy checks.
    public var lower: Double
    /// σ(logit + width).
    public var upper: Double
    /// w·x, the FTRL weights' logit.
    public var logit: Double
    /// α·√(xᵀA⁻¹x + Σ vᵢxᵢ²): the half-width of the interval in logit space
    /// (posterior variance plus the online iterate's; docs/RANKING.md, "Uncertainty").
    public var width: Double
}

/// One ranked group as returned to the caller.
public struct RankedGroup: Sendable, Equatable {
    public var groupID: UInt64
    /// Score and interval.
    public var score: ScoreInterval
    /// Probability that this group was put first (ε-greedy's propensity):
    /// what counterfactual evaluation divides by.
    public var propensity: Double
    /// The group's best hit.
    public var bestVectorID: UInt64
    /// The features the score was computed from, in ``FeatureSchema/names`` order.
    public var features: [Float]
}

/// The answer to ``Ranker/rank(_:)``.
public struct RankResult: Sendable, Equatable {
    /// Id to send feedback against; 0 when there were no candidates (nothing was logged).
    public var impressionID: UInt64
    /// The groups in the order shown: the first is the answer. Without
    /// exploration this is descending probability.
    public var groups: [RankedGroup]
    /// True when exploration put a group other than the best one first.
    public var explored: Bool
}

/// The scores of the groups a feedback changed, recomputed with the updated model.
public struct FeedbackEffect: Sendable, Equatable {
    /// (group, its new score on the features of the impression).
    public var rescored: [(groupID: UInt64, score: ScoreInterval)]

    public static func == (a: FeedbackEffect, b: FeedbackEffect) -> Bool {
        a.rescored.count == b.rescored.count
            && zip(a.rescored, b.rescored).allSatisfy { $0.groupID == $1.groupID && $0.score == $1.score }
    }
}

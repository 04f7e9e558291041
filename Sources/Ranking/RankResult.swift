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

    /// Creates an interval from its parts; the ranker computes them with
    /// `lower = σ(logit − width)`, `probability = σ(logit)`, `upper = σ(logit + width)`.
    public init(probability: Double, lower: Double, upper: Double, logit: Double, width: Double) {
        self.probability = probability
        self.lower = lower
        self.upper = upper
        self.logit = logit
        self.width = width
    }
}

/// One ranked group as returned to the caller.
public struct RankedGroup: Sendable, Equatable {
    /// The group (article) id, as given in ``CandidateHit/groupID``.
    public var groupID: UInt64
    /// Score and interval.
    public var score: ScoreInterval
    /// Probability that this group was put first (ε-greedy's propensity):
    /// what counterfactual evaluation divides by.
    public var propensity: Double
    /// The group's best hit.
    public var bestVectorID: UInt64
    /// That hit's similarity, as given in ``CandidateHit/similarity``.
    public var bestSimilarity: Float
    /// The features the score was computed from, in ``FeatureSchema/names`` order.
    public var features: [Float]

    /// Creates a ranked group; ``Ranker/rank(_:)`` builds these.
    public init(groupID: UInt64, score: ScoreInterval, propensity: Double, bestVectorID: UInt64,
                bestSimilarity: Float = .nan, features: [Float]) {
        self.groupID = groupID
        self.score = score
        self.propensity = propensity
        self.bestVectorID = bestVectorID
        self.bestSimilarity = bestSimilarity
        self.features = features
    }
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

    /// Creates a result; ``Ranker/rank(_:)`` builds it.
    public init(impressionID: UInt64, groups: [RankedGroup], explored: Bool) {
        self.impressionID = impressionID
        self.groups = groups
        self.explored = explored
    }
}

/// A group's new score after a feedback, on the features of its impression.
public struct RescoredGroup: Sendable, Equatable {
    /// The group rescored.
    public var groupID: UInt64
    /// Its score and interval after the feedback, on the impression's features.
    public var score: ScoreInterval

    /// Creates a rescored group.
    public init(groupID: UInt64, score: ScoreInterval) {
        self.groupID = groupID
        self.score = score
    }
}

/// The scores of the groups a feedback changed, recomputed with the updated model.
public struct FeedbackEffect: Sendable, Equatable {
    /// The group the feedback named first, then the group a correction endorsed, if any.
    public var rescored: [RescoredGroup]

    /// Creates the effect from the rescored groups, in the order described at ``rescored``.
    public init(rescored: [RescoredGroup]) { self.rescored = rescored }
}

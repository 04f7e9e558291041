/// Every tunable of a ``Ranker``, named as in the papers it follows.
///
/// The configuration is part of the encoded state, so a restored ranker keeps
/// learning exactly as the one that was saved.
public struct RankerConfiguration: Sendable, Equatable {
    /// FTRL-Proximal's per-coordinate learning-rate and regularisation
    /// parameters (McMahan et al., "Ad Click Prediction: a View from the
    /// Trenches", KDD 2013, Algorithm 1).
    public struct FTRL: Sendable, Equatable {
        /// α: scale of the per-coordinate rate α / (β + √nᵢ).
        public var alpha: Double = 0.5
        /// β: smooths the rate while a coordinate has seen little gradient.
        public var beta: Double = 1.0
        /// λ₁: L1 strength; weights whose |zᵢ| stays below it are exactly zero.
        /// The bias is exempt.
        public var l1: Double = 0.001
        /// λ₂: L2 strength.
        public var l2: Double = 0.01
        /// Every weight is clamped to ±`maxAbsWeight`, so no feedback stream can
        /// push a logit past what `Double` and the sigmoid handle.
        public var maxAbsWeight: Double = 20
        /// The defaults above: α = 0.5, β = 1, λ₁ = 0.001, λ₂ = 0.01, weights clamped to ±20.
        public init() {}
    }

    /// The linear bandit posterior that gives every score its uncertainty
    /// (LinUCB's A = λI + Σ c·x xᵀ, with c the Laplace weight; see docs/RANKING.md).
    public struct Posterior: Sendable, Equatable {
        /// λ: prior precision of every weight (A starts as λI).
        public var lambda: Double = 1.0
        /// α: half-width of the interval in posterior standard deviations of
        /// the logit (1.96: a two-sided 95 % interval under the Laplace approximation).
        public var alpha: Double = 1.96
        /// The Cholesky factor is kept by rank-one updates and recomputed from
        /// A with LAPACK's `dpotrf` every `refactorInterval` updates, so
        /// rounding cannot accumulate.
        public var refactorInterval: Int = 4096
        /// The defaults above: λ = 1, α = 1.96, refactor every 4096 updates.
        public init() {}
    }

    /// The mean's learner: FTRL-Proximal's rates and regularisation.
    public var ftrl = FTRL()
    /// The uncertainty's model: prior precision, interval width and refactor interval.
    public var posterior = Posterior()
    /// The untrained model's weight on `best_similarity`: with every other
    /// weight but the bias at zero, the first ranking is cosine order.
    public var initialSimilarityWeight: Double = 4.0
    /// The untrained model's bias: with the similarity weight, P = 0.5 at cosine 0.5.
    public var initialBias: Double = -2.0
    /// ε of ε-greedy exploration: the probability that the group shown first
    /// is drawn uniformly from the returned groups instead of the best one.
    /// 0 turns exploration off. The propensity is logged either way.
    public var explorationRate: Double = 0
    /// Seeds exploration; the draw for an impression depends only on this and
    /// its id, so concurrent calls stay reproducible.
    public var seed: UInt64 = 0x5EED_1E55_0F0A_11CE
    /// How many impressions are kept for feedback; the oldest is evicted first.
    /// Each costs about 150 B plus 180 B per group shown (≈ 2 KB at k = 10).
    public var maxImpressions: Int = 50_000
    /// How long (seconds) an impression accepts feedback.
    public var maxImpressionAge: Double = 14 * 24 * 3600
    /// When false, feedback is recorded (impressions, outcome histories, stats)
    /// but weights and posterior stay put: the "learning off" baseline.
    public var learningEnabled = true

    /// The defaults of docs/RANKING.md: no exploration, 50 000 impressions kept for 14 days, learning on.
    public init() {}

    /// Refuses settings that cannot work, naming the field and its value.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ why: String) throws {
            if !ok { throw RankingError.invalidConfiguration(field: field, value: "\(value)", reason: why) }
        }
        try check(ftrl.alpha > 0 && ftrl.alpha.isFinite, "ftrl.alpha", ftrl.alpha, "must be a positive number")
        try check(ftrl.beta >= 0 && ftrl.beta.isFinite, "ftrl.beta", ftrl.beta, "must be ≥ 0")
        try check(ftrl.l1 >= 0 && ftrl.l1.isFinite, "ftrl.l1", ftrl.l1, "must be ≥ 0")
        try check(ftrl.l2 >= 0 && ftrl.l2.isFinite, "ftrl.l2", ftrl.l2, "must be ≥ 0")
        try check(ftrl.beta > 0 || ftrl.l2 > 0, "ftrl.beta", ftrl.beta, "β and λ₂ cannot both be 0 (the first weight would divide by zero)")
        try check(ftrl.maxAbsWeight > 0 && ftrl.maxAbsWeight <= 1000, "ftrl.maxAbsWeight", ftrl.maxAbsWeight, "must be in (0, 1000]")
        try check(posterior.lambda > 0 && posterior.lambda.isFinite, "posterior.lambda", posterior.lambda, "must be a positive number")
        try check(posterior.alpha >= 0 && posterior.alpha.isFinite, "posterior.alpha", posterior.alpha, "must be ≥ 0")
        try check(posterior.refactorInterval >= 1, "posterior.refactorInterval", posterior.refactorInterval, "must be ≥ 1")
        try check(initialSimilarityWeight > 0 && initialSimilarityWeight <= ftrl.maxAbsWeight,
                  "initialSimilarityWeight", initialSimilarityWeight, "must be positive and ≤ ftrl.maxAbsWeight, so the untrained order is cosine order")
        try check(abs(initialBias) <= ftrl.maxAbsWeight, "initialBias", initialBias, "must be within ±ftrl.maxAbsWeight")
        try check(explorationRate >= 0 && explorationRate <= 1, "explorationRate", explorationRate, "must be in [0, 1]")
        try check(maxImpressions >= 1, "maxImpressions", maxImpressions, "must be ≥ 1")
        try check(maxImpressionAge > 0, "maxImpressionAge", maxImpressionAge, "must be positive (seconds)")
    }
}

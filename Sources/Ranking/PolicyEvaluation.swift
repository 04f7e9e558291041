/// A policy to evaluate counterfactually: ε-greedy on a weight vector.
public struct TargetPolicy: Sendable, Equatable {
    /// Weights by feature slot (``FeatureSchema/names`` order).
    public var weights: [Double]
    /// ε: probability of putting a uniformly drawn shown group first.
    public var explorationRate: Double

    /// - Throws: ``RankingError/wrongDimension(expected:got:)`` or
    ///   ``RankingError/invalidConfiguration(field:value:reason:)`` for ε outside [0, 1].
    public init(weights: [Double], explorationRate: Double = 0) throws {
        guard weights.count == FeatureSchema.dimension else {
            throw RankingError.wrongDimension(expected: FeatureSchema.dimension, got: weights.count)
        }
        guard explorationRate >= 0, explorationRate <= 1 else {
            throw RankingError.invalidConfiguration(field: "explorationRate", value: "\(explorationRate)", reason: "must be in [0, 1]")
        }
        self.weights = weights
        self.explorationRate = explorationRate
    }

    /// Weights by feature name; a name not given weighs 0.
    /// - Throws: ``RankingError/unknownFeature(name:)`` for a name not in the schema.
    public init(namedWeights: [String: Double], explorationRate: Double = 0) throws {
        var w = [Double](repeating: 0, count: FeatureSchema.dimension)
        for (name, value) in namedWeights {
            guard let i = FeatureSchema.index(of: name) else { throw RankingError.unknownFeature(name: name) }
            w[i] = value
        }
        try self.init(weights: w, explorationRate: explorationRate)
    }
}

/// How a target policy would have done on the logged impressions.
///
/// The action is the group shown first; its reward is 1 when that group
/// resolved the question (and was not reopened), 0 when it was escalated,
/// corrected or reopened. Impressions without such an outcome are left out.
/// Both estimators reweigh each logged reward by π_target(action) / π_logging(action)
/// (Horvitz–Thompson); the self-normalised one divides by the sum of the
/// weights instead of n (Swaminathan & Joachims 2015), trading a small bias
/// for much less variance. Intervals are normal approximations (the
/// self-normalised one by the delta method).
public struct PolicyEstimate: Sendable, Equatable, Codable {
    /// Impressions with a terminal outcome on the group shown first.
    public var impressions: Int
    /// The logging policy's observed mean reward on them.
    public var loggedValue: Double
    /// Inverse propensity scoring estimate and its interval.
    public var ips: Double
    /// Lower end of the IPS interval, `ips − z·sd/√n`.
    public var ipsLower: Double
    /// Upper end of the IPS interval, `ips + z·sd/√n`.
    public var ipsUpper: Double
    /// Self-normalised IPS estimate and its interval.
    public var snips: Double
    /// Lower end of the self-normalised interval (delta method).
    public var snipsLower: Double
    /// Upper end of the self-normalised interval (delta method).
    public var snipsUpper: Double
    /// (Σw)² / Σw²: how many impressions the estimate is effectively worth.
    public var effectiveSampleSize: Double
}

extension Ranker {
    /// Estimates, from the impressions still in the store, how `policy`
    /// would have done (IPS and self-normalised IPS).
    ///
    /// The target chooses among the groups that were shown (the logged
    /// action set), on the features that were shown.
    /// - Parameter z: the normal quantile of the intervals (1.96: 95 %).
    public func evaluate(_ policy: TargetPolicy, z: Double = 1.96) -> PolicyEstimate {
        let impressions = lock.withLock { state.impressions.inOrder }
        return Self.evaluate(policy, on: impressions, z: z)
    }

    static func evaluate(_ policy: TargetPolicy, on impressions: [Impression], z: Double) -> PolicyEstimate {
        let d = FeatureSchema.dimension
        var rewards: [Double] = [], ratios: [Double] = []
        for imp in impressions {
            let first = imp.groups[imp.shownFirst]
            let reward: Double
            switch first.state {
            case .resolved: reward = 1
            case .escalated, .corrected, .reopened: reward = 0
            case .none, .endorsed: continue
            }
            var greedy = 0, best = -Double.infinity
            for j in imp.groups.indices {
                var s = 0.0
                for i in 0..<d { s += policy.weights[i] * Double(imp.features[j * d + i]) }
                if s > best { best = s; greedy = j }
            }
            let k = Double(imp.groups.count)
            let target = policy.explorationRate / k + (imp.shownFirst == greedy ? 1 - policy.explorationRate : 0)
            rewards.append(reward)
            ratios.append(target / first.propensity)
        }
        let n = Double(rewards.count)
        guard n > 0 else {
            return PolicyEstimate(impressions: 0, loggedValue: 0, ips: 0, ipsLower: 0, ipsUpper: 0,
                                  snips: 0, snipsLower: 0, snipsUpper: 0, effectiveSampleSize: 0)
        }
        let logged = rewards.reduce(0, +) / n
        let values = zip(rewards, ratios).map { $0 * $1 }
        let ips = values.reduce(0, +) / n
        let ipsVar = values.reduce(0) { $0 + ($1 - ips) * ($1 - ips) } / max(n - 1, 1)
        let ipsHalf = z * (ipsVar / n).squareRoot()
        let sumW = ratios.reduce(0, +)
        let sumW2 = ratios.reduce(0) { $0 + $1 * $1 }
        let snips = sumW > 0 ? values.reduce(0, +) / sumW : 0
        let snipsVar = sumW > 0 ? zip(rewards, ratios).reduce(0) { $0 + $1.1 * $1.1 * ($1.0 - snips) * ($1.0 - snips) } / (sumW * sumW) : 0
        let snipsHalf = z * snipsVar.squareRoot()
        return PolicyEstimate(impressions: rewards.count, loggedValue: logged,
                              ips: ips, ipsLower: ips - ipsHalf, ipsUpper: ips + ipsHalf,
                              snips: snips, snipsLower: snips - snipsHalf, snipsUpper: snips + snipsHalf,
                              effectiveSampleSize: sumW2 > 0 ? sumW * sumW / sumW2 : 0)
    }
}

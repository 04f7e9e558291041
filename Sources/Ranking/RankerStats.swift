/// What STATS shows about a ranker, as JSON-ready values.
public struct RankerStats: Sendable, Equatable, Codable {
    /// One feature's learned weight and its mean over the feature vectors learned from.
    public struct FeatureStat: Sendable, Equatable, Codable {
        /// The feature's name, from ``FeatureSchema/names``.
        public var name: String
        /// Its current FTRL weight (clamped to ±``RankerConfiguration/FTRL/maxAbsWeight``).
        public var weight: Double
        /// 0 before any feedback.
        public var mean: Double
    }

    /// Every feature, in slot order.
    public var features: [FeatureStat]
    /// Feedback records applied.
    public var updates: UInt64
    /// Non-zero FTRL coordinate steps taken.
    public var coordinateUpdates: UInt64
    /// Applied feedback by outcome kind (`resolved`, `escalated`, …).
    public var feedback: [String: UInt64]
    /// Impressions that still accept feedback.
    public var liveImpressions: Int
    /// Impression ids issued so far.
    public var impressionsIssued: UInt64
    /// Groups with an outcome history.
    public var groupsWithHistory: Int
    /// Whether feedback moves the model.
    public var learningEnabled: Bool
    /// ε of ε-greedy exploration.
    public var explorationRate: Double
}

extension Ranker {
    /// The weights by feature name, the number of updates and the feature means.
    public func stats() -> RankerStats {
        lock.withLock {
            let count = Double(max(state.featureCount, 1))
            let features = FeatureSchema.names.enumerated().map { i, name in
                RankerStats.FeatureStat(name: name, weight: state.ftrl.weights[i],
                                        mean: state.featureCount == 0 ? 0 : state.featureSums[i] / count)
            }
            return RankerStats(features: features, updates: state.updates, coordinateUpdates: state.coordinateUpdates,
                               feedback: Dictionary(uniqueKeysWithValues: zip(Outcome.kinds, state.feedbackCounts)),
                               liveImpressions: state.impressions.count, impressionsIssued: state.impressions.newestIssued,
                               groupsWithHistory: state.histories.count,
                               learningEnabled: state.configuration.learningEnabled,
                               explorationRate: state.configuration.explorationRate)
        }
    }
}

import Ranking
import VectorIndex
import Wire

/// `RANK` and `FEEDBACK` (docs/PROTOCOL.md §7.10): search, map hits to
/// groups, hand them to the collection's ranker, and encode what it returns.
extension RequestDispatcher {
    /// Searches the top C vectors, aggregates them per group and ranks the groups.
    func rank(_ r: Wire.RankRequest) throws -> RankResponse {
        try replyLimit.check(RankResponse.maxPayloadSize(groups: r.k, featureNames: r.withFeatures ? FeatureSchema.names : []),
                             "RANK \(r.collection)", because: "k = \(r.k) groups", advice: "ask for fewer groups")
        let handle = try registry.handle(r.collection, for: .rank)
        let ranking = try Self.ranking(of: handle, .rank)
        let index = handle.collection.index
        try VectorCheck.dimension(r.query.count, of: handle.collection, in: .rank)
        try VectorCheck.finite(r.query, dim: r.query.count, cosine: index.parameters.metric == .cosine,
                               collection: r.collection, kind: .rank) { _ in "query" }
        let c = r.resolvedCandidates
        let filter = r.filter.isEmpty ? nil : Filter(allOf: r.filter.allOf, anyOf: r.filter.anyOf)
        let hits = try index.search(r.query, k: c, ef: r.ef == 0 ? max(c, 64) : r.ef, filter: filter)

        var callerFeatures: [String: [UInt64: Float]] = [:]
        for feature in r.callerFeatures {
            var values = [UInt64: Float](minimumCapacity: feature.groups.count)
            for (group, value) in zip(feature.groups, feature.values) { values[group] = value }
            callerFeatures[feature.name] = values
        }
        let result = try ranking.rank(hits: hits, metric: index.parameters.metric,
                                      contextTags: r.contextTags, callerFeatures: callerFeatures, k: r.k)
        return RankResponse(
            impression: result.impressionID, explored: result.explored,
            featureNames: r.withFeatures ? FeatureSchema.names : [],
            groups: result.groups.map { group in
                RankedItem(group: group.groupID, bestVector: group.bestVectorID, bestSimilarity: group.bestSimilarity,
                           score: RankScore(group.score), propensity: group.propensity,
                           features: r.withFeatures ? group.features : [])
            })
    }

    /// Applies one outcome and returns the rescored groups.
    func feedback(_ r: FeedbackRequest) throws -> FeedbackResponse {
        let handle = try registry.handle(r.collection, for: .feedback)
        let ranking = try Self.ranking(of: handle, .feedback)
        let outcome: Outcome = switch r.outcome {
        case .resolved: .resolved
        case .escalated: .escalated
        case .corrected(let instead): .corrected(groupUsedInstead: instead)
        case .csat(let score): .csat(Int(score))
        case .reopened: .reopened
        }
        let record = FeedbackRecord(impressionID: r.impression, groupID: r.group, outcome: outcome,
                                    time: r.time == 0 ? CollectionRanking.now() : r.time)
        let effect = try ranking.feedback(record)
        return FeedbackResponse(groups: effect.rescored.map { GroupScore(group: $0.groupID, score: RankScore($0.score)) })
    }

    private static func ranking(of handle: CollectionHandle, _ kind: MessageKind) throws(WireError) -> CollectionRanking {
        guard let ranking = handle.ranking else {
            throw WireError(.rankingDisabled,
                            "\(kind.name) \(handle.name): this server keeps no ranker (it was started with --no-ranking); restart it without that option")
        }
        return ranking
    }
}

extension RankScore {
    /// The wire form of a ranker score: mean, lower and upper bound.
    init(_ score: ScoreInterval) {
        self.init(score: score.probability, lower: score.lower, upper: score.upper)
    }
}

/// The ranker's feature vector: one slot per name, every value in [-1, 1].
///
/// docs/RANKING.md documents each feature's meaning, range and normalisation;
/// the order here is the order of weights, of ``RankedGroup/features`` and of
/// the encoded state, so it only ever grows at the end (with a state version bump).
public enum FeatureSchema {
    /// Caller-computed features accepted by name, each mapped to a fixed slot.
    /// The caller normalises each into [-1, 1]; a missing value is 0.
    public static let callerFeatureNames = [
        "lexical_overlap", "title_overlap", "bm25", "entity_match",
        "previous_topic_match", "language_match", "intent_confidence", "product_area_match",
    ]

    /// Every feature name, in slot order.
    public static let names: [String] = [
        "bias", "best_similarity", "best_similarity_sq", "mean_top_similarity", "knn_vote", "margin",
        "best_rank", "best_is_alias", "alias_share", "outcome_mean", "outcome_count", "no_history",
        "age", "context_match_count", "context_match_ratio", "query_has_context",
    ] + (0..<ContextTag.familyBuckets).map { "context_family_\($0)" } + callerFeatureNames

    /// Number of features (32).
    public static var dimension: Int { names.count }

    /// The slot of a feature name, or nil.
    public static func index(of name: String) -> Int? { names.firstIndex(of: name) }

    // Slots, for the code that fills them.
    static let bias = 0, bestSimilarity = 1, bestSimilaritySq = 2, meanTopSimilarity = 3, knnVote = 4
    static let margin = 5, bestRank = 6, bestIsAlias = 7, aliasShare = 8, outcomeMean = 9
    static let outcomeCount = 10, noHistory = 11, age = 12, contextMatchCount = 13
    static let contextMatchRatio = 14, queryHasContext = 15, contextFamily0 = 16
    static let callerFeature0 = contextFamily0 + ContextTag.familyBuckets

    /// How many of a group's hits `mean_top_similarity` averages.
    static let topHitsForMean = 3
    /// Outcome count that saturates `outcome_count` (log1p(n) / log1p(this)).
    static let outcomeCountScale = 1000.0
    /// Matches that saturate `context_match_count`.
    static let contextMatchSaturation = 4
    /// Age in hours that saturates `age` (two years).
    static let ageScaleHours = 2 * 365 * 24.0
}

/// A candidate group gathered from the hits.
struct CandidateGroup {
    var groupID: UInt64
    var bestRank: Int
    var bestVectorID: UInt64
    var bestSimilarity: Float
    var bestIsAlias: Bool
    var hits = 0
    var aliasHits = 0
    var topSum: Float = 0
    var topCount = 0
}

/// Turns a request's hits into candidate groups and their feature vectors.
struct FeatureExtractor {
    /// Groups in order of their best hit; `features` holds `groups.count × dimension` values.
    private(set) var groups: [CandidateGroup] = []
    private(set) var features: [Float] = []

    /// Validates the request and gathers its groups (features are filled by ``fill(histories:request:)``).
    init(request: RankRequest) throws {
        guard request.k >= 1 else { throw RankingError.invalidK(request.k) }
        guard request.now.isFinite else { throw RankingError.invalidTime(request.now) }
        groups.reserveCapacity(request.hits.count)
        switch request.groups {
        case let .grouped(_, groupOfHit):
            guard groupOfHit.count == request.hits.count else {
                throw RankingError.groupInfoCount(expected: request.hits.count, got: groupOfHit.count)
            }
            try gather(request.hits) { rank, hit, groups in
                let place = Int(groupOfHit[rank])
                guard place <= groups.count, place == groups.count || groups[place].groupID == hit.groupID else {
                    throw RankingError.groupOfHitMismatch(index: rank, place: place, groupID: hit.groupID)
                }
                return place
            }
        case .byID, .inFirstHitOrder:
            var slotOfGroup = GroupTable<Int>(minimumCapacity: request.hits.count)
            try gather(request.hits) { _, hit, groups in
                slotOfGroup.value(for: hit.groupID, insertingIfAbsent: groups.count)
            }
        }
        if let count = request.groups.orderedCount, count != groups.count {
            throw RankingError.groupInfoCount(expected: groups.count, got: count)
        }
        for (name, values) in request.callerFeatures {
            guard FeatureSchema.callerFeatureNames.contains(name) else {
                throw RankingError.unknownCallerFeature(name: name, allowed: FeatureSchema.callerFeatureNames)
            }
            for (group, value) in values where !(value.isFinite && abs(value) <= 1) {
                throw RankingError.callerFeatureOutOfRange(name: name, group: group, value: value)
            }
        }
    }

    /// Checks the hits' order and similarities and adds each to its group:
    /// `place(rank, hit, groups)` gives the index of the hit's group in
    /// `groups`, or `groups.count` for a group not met yet.
    @inline(__always)
    private mutating func gather(_ hits: [CandidateHit],
                                 place: (Int, CandidateHit, [CandidateGroup]) throws -> Int) throws {
        var previous = Float.infinity
        for (rank, hit) in hits.enumerated() {
            guard hit.similarity.isFinite else {
                throw RankingError.nonFiniteSimilarity(vectorID: hit.vectorID, value: hit.similarity)
            }
            guard hit.similarity <= previous else {
                throw RankingError.hitsNotInRankOrder(index: rank, previous: previous, similarity: hit.similarity)
            }
            previous = hit.similarity
            let slot = try place(rank, hit, groups)
            if slot == groups.count {
                groups.append(CandidateGroup(groupID: hit.groupID, bestRank: rank, bestVectorID: hit.vectorID,
                                             bestSimilarity: hit.similarity, bestIsAlias: hit.isAlias))
            }
            groups[slot].hits += 1
            if hit.isAlias { groups[slot].aliasHits += 1 }
            if groups[slot].topCount < FeatureSchema.topHitsForMean {
                groups[slot].topSum += hit.similarity
                groups[slot].topCount += 1
            }
        }
    }

    /// Fills the feature vectors; `histories[i]` is the outcome history of `groups[i]`.
    mutating func fill(histories: [OutcomeHistory], request: RankRequest) {
        let d = FeatureSchema.dimension
        features = [Float](repeating: 0, count: groups.count * d)
        let hitCount = Float(max(request.hits.count, 1))
        var first: Float = -.infinity, second: Float = -.infinity
        for g in groups {
            if g.bestSimilarity > first { second = first; first = g.bestSimilarity }
            else if g.bestSimilarity > second { second = g.bestSimilarity }
        }
        var query: [ContextTag] = []
        for tag in request.contextTags where !query.contains(tag) { query.append(tag) }
        let countScale = 1 / lnOnePlus(FeatureSchema.outcomeCountScale)
        let ageScale = Float(1 / lnOnePlus(FeatureSchema.ageScaleHours))
        let callerColumns: [(slot: Int, values: [UInt64: Float])] = request.callerFeatures.compactMap { name, values in
            FeatureSchema.callerFeatureNames.firstIndex(of: name).map { (FeatureSchema.callerFeature0 + $0, values) }
        }
        let infos = Self.infos(of: groups, in: request.groups)
        features.withUnsafeMutableBufferPointer { all in
            infos.tags.withUnsafeBufferPointer { tagPool in
                for (i, g) in groups.enumerated() {
                    let x = UnsafeMutableBufferPointer(rebasing: all[(i * d)..<((i + 1) * d)])
                    let info = infos.entries[i]
                    Self.fillSimilarity(x, g, groupCount: groups.count, first: first, second: second, hitCount: hitCount)
                    Self.fillOutcome(x, histories[i], countScale: countScale)
                    Self.fillAge(x, insertedAt: info.insertedAt, updatedAt: info.updatedAt, now: request.now, ageScale: ageScale)
                    if !query.isEmpty {
                        let tags = UnsafeBufferPointer(rebasing: tagPool[Int(info.tagStart)..<Int(info.tagStart + info.tagCount)])
                        Self.fillContext(x, tags: tags, query: query)
                    }
                    for column in callerColumns {
                        if let v = column.values[g.groupID] { x[column.slot] = v }
                    }
                }
            }
        }
    }

    /// The groups' information in `groups`' order, flat: the core's list as it
    /// came, the other shapes copied into one (their callers are not on the hot path).
    private static func infos(of groups: [CandidateGroup], in shape: RequestGroups) -> GroupInfoList {
        switch shape {
        case let .grouped(list, _): list
        case let .inFirstHitOrder(infos): GroupInfoList(infos)
        case let .byID(infos): GroupInfoList(groups.map { infos[$0.groupID] ?? GroupInfo() })
        }
    }

    /// Bias and the features of the group's hits: similarity, vote, margin over
    /// the best other group (`first`/`second` are the two best similarities), rank, aliases.
    @inline(__always)
    private static func fillSimilarity(_ x: UnsafeMutableBufferPointer<Float>, _ g: CandidateGroup, groupCount: Int,
                                       first: Float, second: Float, hitCount: Float) {
        let s = g.bestSimilarity
        x[FeatureSchema.bias] = 1
        x[FeatureSchema.bestSimilarity] = clamp(s)
        x[FeatureSchema.bestSimilaritySq] = clamp(s * abs(s))
        x[FeatureSchema.meanTopSimilarity] = clamp(g.topSum / Float(g.topCount))
        x[FeatureSchema.knnVote] = Float(g.hits) / hitCount
        let bestOther = s == first && groupCount > 1 ? second : (groupCount > 1 ? first : s)
        x[FeatureSchema.margin] = clamp(s - bestOther)
        x[FeatureSchema.bestRank] = 1 / Float(1 + g.bestRank)
        x[FeatureSchema.bestIsAlias] = g.bestIsAlias ? 1 : 0
        x[FeatureSchema.aliasShare] = Float(g.aliasHits) / Float(g.hits)
    }

    /// The group's outcome history: posterior mean and log count, or `no_history`.
    @inline(__always)
    private static func fillOutcome(_ x: UnsafeMutableBufferPointer<Float>, _ h: OutcomeHistory, countScale: Double) {
        x[FeatureSchema.outcomeMean] = Float(h.posteriorMean - 0.5)
        if h.total > 0 {
            x[FeatureSchema.outcomeCount] = Float(min(1, lnOnePlus(h.total) * countScale))
        } else {
            x[FeatureSchema.noHistory] = 1
        }
    }

    /// Log hours since the group's content last changed (0 when the caller gave no dates).
    @inline(__always)
    private static func fillAge(_ x: UnsafeMutableBufferPointer<Float>, insertedAt: Double?, updatedAt: Double?,
                                now: Double, ageScale: Float) {
        if let born = insertedAt ?? updatedAt {
            let changed = max(born, updatedAt ?? born)
            let hours = max(0, now - changed) / 3600
            x[FeatureSchema.age] = min(1, lnOnePlus(Float(hours)) * ageScale)
        }
    }

    /// Matches between the query's (distinct, non-empty) context tags and the group's.
    @inline(__always)
    private static func fillContext(_ x: UnsafeMutableBufferPointer<Float>, tags: UnsafeBufferPointer<ContextTag>,
                                    query: [ContextTag]) {
        x[FeatureSchema.queryHasContext] = 1
        var matched = 0
        if !tags.isEmpty {
            for q in query where tags.contains(where: { $0.hash == q.hash }) {
                matched += 1
                x[FeatureSchema.contextFamily0 + Int(q.familyBucket)] = 1
            }
        }
        x[FeatureSchema.contextMatchCount] = Float(min(matched, FeatureSchema.contextMatchSaturation))
            / Float(FeatureSchema.contextMatchSaturation)
        x[FeatureSchema.contextMatchRatio] = Float(matched) / Float(query.count)
    }
}

@inline(__always) private func clamp(_ v: Float) -> Float { min(1, max(-1, v)) }

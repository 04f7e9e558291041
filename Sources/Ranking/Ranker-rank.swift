extension Ranker {
    /// Ranks the candidate groups of one query and logs the impression.
    ///
    /// Hits are aggregated per group, each group gets its feature vector
    /// (``FeatureSchema``), the model scores every group with its mean logit
    /// and the best `k` get an interval. With exploration on, the group shown
    /// first is drawn ε-greedily and its propensity logged.
    /// - Returns: the groups in the order shown, with scores and features, and
    ///   the impression id for feedback (0, with no groups, when there were no hits).
    /// - Throws: ``RankingError`` for a malformed request (unknown caller
    ///   feature, out-of-order or non-finite hits, k < 1), naming the value.
    public func rank(_ request: RankRequest) throws -> RankResult {
        var extractor = try FeatureExtractor(request: request)
        let candidates = extractor.groups
        if candidates.isEmpty { return RankResult(impressionID: 0, groups: [], explored: false) }

        let (view, histories): (ModelView, [OutcomeHistory]) = lock.withLock {
            (self.view, candidates.map { state.histories[$0.groupID] ?? OutcomeHistory() })
        }
        extractor.fill(histories: histories, request: request)
        let all = extractor.features

        let logits = Self.logits(all, count: candidates.count, view: view)
        let top = Self.best(request.k, of: logits, ties: candidates)
        let (shownFeatures, scores) = Self.scoreShown(top, features: all, logits: logits, view: view)

        var impression = Impression(id: 0, time: request.now,
                                    groups: top.map { ShownGroup(groupID: candidates[$0].groupID, propensity: 0) },
                                    shownFirst: 0, features: shownFeatures)
        issue(&impression)
        return Self.result(of: impression, candidates: candidates, top: top, scores: scores)
    }

    /// Mean logits for every group; ties keep the better best-hit rank (cosine order).
    @inline(__always)
    private static func logits(_ all: [Float], count: Int, view: ModelView) -> [Double] {
        let d = FeatureSchema.dimension
        var logits = [Double](repeating: 0, count: count)
        all.withUnsafeBufferPointer { f in
            for i in 0..<count {
                logits[i] = view.logit(UnsafeBufferPointer(rebasing: f[(i * d)..<((i + 1) * d)]))
            }
        }
        return logits
    }

    /// The features of the `top` groups, in that order, and their score intervals.
    @inline(__always)
    private static func scoreShown(_ top: ArraySlice<Int>, features all: [Float], logits: [Double],
                                   view: ModelView) -> ([Float], [ScoreInterval]) {
        let d = FeatureSchema.dimension
        var shownFeatures = [Float]()
        shownFeatures.reserveCapacity(top.count * d)
        for i in top { shownFeatures.append(contentsOf: all[(i * d)..<((i + 1) * d)]) }
        let scores = shownFeatures.withUnsafeBufferPointer { view.scores($0, logits: top.map { logits[$0] }) }
        return (shownFeatures, scores)
    }

    /// Under the lock: gives the impression the next id and its propensities,
    /// draws the group shown first when exploring, stores and journals it.
    @inline(__always)
    private func issue(_ impression: inout Impression) {
        lock.withLock {
            impression.id = state.impressions.newestIssued + 1
            let epsilon = state.configuration.explorationRate
            let k = impression.groups.count
            for j in 0..<k {
                impression.groups[j].propensity = epsilon / Double(k) + (j == 0 ? 1 - epsilon : 0)
            }
            if epsilon > 0 {
                var rng = ExplorationDraws(seed: state.configuration.seed, impression: impression.id)
                if rng.nextUnit() < epsilon { impression.shownFirst = Int(rng.next() % UInt64(k)) }
            }
            state.impressions.insertNext(&impression)
            journal?(.impression(ImpressionRecord(impression)))
        }
    }

    /// The groups in the order shown: the explored group (if any) first, then the rest by score.
    @inline(__always)
    private static func result(of impression: Impression, candidates: [CandidateGroup], top: ArraySlice<Int>,
                               scores: [ScoreInterval]) -> RankResult {
        let d = FeatureSchema.dimension
        let shownFeatures = impression.features
        var shown = Array(0..<top.count)
        if impression.shownFirst != 0 {
            shown.remove(at: impression.shownFirst)
            shown.insert(impression.shownFirst, at: 0)
        }
        let groups = shown.map { j in
            let c = candidates[top[top.startIndex + j]]
            return RankedGroup(groupID: c.groupID, score: scores[j], propensity: impression.groups[j].propensity,
                               bestVectorID: c.bestVectorID, bestSimilarity: c.bestSimilarity, features: Array(shownFeatures[(j * d)..<((j + 1) * d)]))
        }
        return RankResult(impressionID: impression.id, groups: groups, explored: impression.shownFirst != 0)
    }
}

extension Ranker {
    /// Indices of the `k` highest logits, best first; equal logits keep the
    /// better best-hit rank. A bounded insertion: O(n·k) compares at worst,
    /// far fewer in practice, and no sort of all n groups.
    static func best(_ k: Int, of logits: [Double], ties candidates: [CandidateGroup]) -> ArraySlice<Int> {
        var top: [Int] = []
        top.reserveCapacity(min(k, logits.count) + 1)
        func before(_ a: Int, _ b: Int) -> Bool {
            logits[a] != logits[b] ? logits[a] > logits[b] : candidates[a].bestRank < candidates[b].bestRank
        }
        for i in logits.indices {
            if top.count == k, !before(i, top[k - 1]) { continue }
            var j = top.count
            while j > 0 && before(i, top[j - 1]) { j -= 1 }
            top.insert(i, at: j)
            if top.count > k { top.removeLast() }
        }
        return top[...]
    }
}

/// The exploration draws of one impression: 64-bit finalizer hashes
/// (MurmurHash3's fmix64) of the seed and the impression id, so every draw
/// is reproducible from the id alone and concurrent rankings never share a
/// generator.
struct ExplorationDraws {
    private var h: UInt64
    init(seed: UInt64, impression: UInt64) { h = seed ^ impression }

    mutating func next() -> UInt64 {
        h ^= h >> 33; h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33; h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

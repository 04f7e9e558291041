import Ranking

/// xorshift64* (Vigna 2016): the tests' deterministic random source.
struct TestRandom {
    private var s: UInt64
    init(seed: UInt64) { s = seed == 0 ? 0x9E37_79B9 : seed }
    mutating func next() -> UInt64 {
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27
        return s &* 2_685_821_657_736_338_717
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// A support world whose true P(resolved | query, group) is σ(w*·x) on the
/// ranker's own features x, with hidden weights w* that value context
/// matches and lexical overlap as well as similarity — so cosine order is
/// good but not the best, and a logistic model can reach the oracle.
struct SyntheticWorld {
    static let families = [("plan", ["trial", "pro", "enterprise"]), ("page", ["billing", "settings", "api", "home"]),
                           ("account", ["past_due", "ok"])]

    var random: TestRandom
    let groupCount: Int
    let candidatesPerQuery: Int
    let now = 1_000_000_000.0
    private(set) var groupInfo: [UInt64: GroupInfo] = [:]
    /// The hidden weights, by feature slot.
    let hiddenWeights: [Double]

    init(seed: UInt64, groups: Int = 400, candidatesPerQuery: Int = 8) {
        random = TestRandom(seed: seed)
        groupCount = groups
        self.candidatesPerQuery = candidatesPerQuery
        for g in 1...UInt64(groups) {
            var tags: [ContextTag] = []
            for (family, values) in Self.families where random.chance(0.5) {
                tags.append(ContextTag("\(family):\(values[random.below(values.count)])"))
            }
            groupInfo[g] = GroupInfo(tags: tags, insertedAt: now - random.uniform(0, 2 * 365 * 86400))
        }
        var w = [Double](repeating: 0, count: FeatureSchema.dimension)
        func set(_ name: String, _ v: Double) { w[FeatureSchema.index(of: name)!] += v }
        set("bias", -2.2)
        set("best_similarity", 3.0)
        set("knn_vote", 0.8)
        set("best_is_alias", 0.4)
        set("age", -0.8)
        set("lexical_overlap", 1.6)
        set("title_overlap", 0.7)
        for (family, weight) in zip(Self.families.map(\.0), [1.4, 0.9, 0.7]) {
            w[FeatureSchema.index(of: "context_family_\(ContextTag(family + ":x").familyBucket)")!] += weight
        }
        hiddenWeights = w
    }

    /// One query: candidate hits from distinct groups, context tags and caller features.
    mutating func nextRequest(k: Int? = nil) -> RankRequest {
        var chosen: [UInt64] = []
        while chosen.count < candidatesPerQuery {
            let g = UInt64(random.below(groupCount) + 1)
            if !chosen.contains(g) { chosen.append(g) }
        }
        var hits: [CandidateHit] = []
        var lexical: [UInt64: Float] = [:], title: [UInt64: Float] = [:]
        var vector: UInt64 = 0
        for g in chosen {
            let base = random.uniform(0.55, 0.85)
            for h in 0..<(1 + random.below(3)) {
                vector += 1
                let s = h == 0 ? base : base - random.uniform(0, 0.08)
                hits.append(CandidateHit(vectorID: vector, groupID: g, similarity: Float(s), isAlias: random.chance(0.3)))
            }
            lexical[g] = Float(random.unit())
            title[g] = Float(random.unit() * 0.5)
        }
        hits.sort { $0.similarity > $1.similarity }
        var context: [ContextTag] = []
        for (family, values) in Self.families where random.chance(0.7) {
            context.append(ContextTag("\(family):\(values[random.below(values.count)])"))
        }
        return RankRequest(hits: hits, groups: groupInfo, contextTags: context,
                           callerFeatures: ["lexical_overlap": lexical, "title_overlap": title],
                           k: k ?? candidatesPerQuery, now: now)
    }

    /// The true P(resolved) of a shown group.
    func trueProbability(_ features: [Float]) -> Double {
        var s = 0.0
        for i in features.indices { s += hiddenWeights[i] * Double(features[i]) }
        return 1 / (1 + exp(-s))
    }

    /// Draws the outcome of showing a group.
    mutating func resolves(_ features: [Float]) -> Bool { random.chance(trueProbability(features)) }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

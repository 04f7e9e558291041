import Primitives

/// One caller-computed feature for some of the candidate groups of a `RANK`
/// (§7.10.1): a name from the ranker's registry (`lexical_overlap`, `bm25`, …)
/// and a value in [-1, 1] per group it concerns; groups it does not name get 0.
public struct CallerFeature: Sendable, Equatable, Hashable {
    /// Name from the ranker's registry (`lexical_overlap`, `title_overlap`, `bm25`,
    /// `entity_match`, `previous_topic_match`, `language_match`,
    /// `intent_confidence`, `product_area_match`), at most once per request. The
    /// server answers any other name with ``ErrorCode/unknownCallerFeature``.
    public var name: String
    /// Group ids, parallel to ``values``.
    public var groups: [UInt64]
    /// The values, parallel to ``groups``: finite and in [-1, 1]; the server
    /// answers any other with ``ErrorCode/callerFeatureOutOfRange``.
    public var values: [Float]

    /// Creates a feature from parallel arrays; ``RankRequest/validate()`` checks
    /// that `groups` and `values` have the same length.
    public init(name: String, groups: [UInt64], values: [Float]) {
        self.name = name
        self.groups = groups
        self.values = values
    }

    /// A feature from a group → value table (sent in ascending group order).
    public init(name: String, values table: [UInt64: Float]) {
        let sorted = table.sorted { $0.key < $1.key }
        self.init(name: name, groups: sorted.map(\.key), values: sorted.map(\.value))
    }
}

/// `RANK` request (§7.10.1, protocol 1.2): search `candidates` vectors near
/// `query`, aggregate them per group, and rank the groups by the learned
/// P(resolved), logging an impression for `FEEDBACK`.
public struct RankRequest: WireRequest {
    /// A `RANK` is answered by a ``RankResponse``: the impression id and the ranked groups.
    public typealias Response = RankResponse
    /// `RANK` travels as kind `0x31` (protocol 1.2).
    public static let kind = MessageKind.rank

    /// Bit 0 of `options`: return each group's feature vector.
    public static let withFeaturesBit: UInt8 = 0x01
    /// Most caller features in one request.
    public static let maxCallerFeatures = 32

    /// Name of the collection to rank in (1–64 bytes of `[A-Za-z0-9_.-]`, not
    /// starting with `.`); a collection without a ranker is ``ErrorCode/rankingDisabled``.
    public var collection: String
    /// The query vector, `f32[dim]` with `dim` = `query.count`, 1–16384; must match
    /// the collection's dimension, which the server checks (``ErrorCode/wrongDimension``).
    public var query: [Float]
    /// Groups to return, 1–1000.
    public var k: Int
    /// Candidate vectors searched (C), 1–10000; 0 for the server's default (100).
    public var candidates: Int
    /// HNSW search breadth (`u32 ef`): 0 for `max(C, 64)`; otherwise C–100000.
    public var ef: Int
    /// Whether the reply carries each group's feature values.
    public var withFeatures: Bool
    /// Tag condition every candidate vector must meet, as in `SEARCH`; ``TagFilter/none`` for none.
    public var filter: TagFilter
    /// The query's context (`plan:trial`, `page:/billing`), matched against the groups' tags.
    public var contextTags: [String]
    /// Per-group values the caller computed (lexical overlap, BM25, …), at most
    /// 32, names distinct; empty for none.
    public var callerFeatures: [CallerFeature]

    /// Creates a `RANK`. `withFeatures` defaults to `true`, so the reply carries
    /// each group's feature values unless asked not to.
    public init(collection: String, query: [Float], k: Int, candidates: Int = 0, ef: Int = 0, withFeatures: Bool = true,
                filter: TagFilter = .none, contextTags: [String] = [], callerFeatures: [CallerFeature] = []) {
        self.collection = collection
        self.query = query
        self.k = k
        self.candidates = candidates
        self.ef = ef
        self.withFeatures = withFeatures
        self.filter = filter
        self.contextTags = contextTags
        self.callerFeatures = callerFeatures
    }

    /// The candidate count after resolving 0 to the default (100).
    public var resolvedCandidates: Int { candidates == 0 ? 100 : candidates }

    /// The payload size, a few bytes over: fixed fields, tags, caller features and the query.
    public var encodedSizeHint: Int {
        32 + collection.utf8.count + query.count * 4
            + (filter.allOf + filter.anyOf + contextTags).reduce(0) { $0 + 2 + $1.utf8.count }
            + callerFeatures.reduce(0) { $0 + 6 + $1.name.utf8.count + $1.groups.count * 12 }
    }

    /// Writes `str collection, u32 dim, u32 k, u32 candidates, u32 ef, u8 options`,
    /// the three tag lists (filter all, filter any, context), `u8 featureCount` and
    /// each feature as `str name, u32 n, u64[n] groups, f32[n] values`, then
    /// `f32[dim] query`. Integers are truncated to their field's width, so call
    /// ``validate()`` first (the clients do).
    /// - Precondition: every caller feature has as many values as groups.
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt32(truncatingIfNeeded: query.count))
        writer.write(UInt32(truncatingIfNeeded: k))
        writer.write(UInt32(truncatingIfNeeded: candidates))
        writer.write(UInt32(truncatingIfNeeded: ef))
        writer.write(withFeatures ? Self.withFeaturesBit : 0)
        writer.writeTagList(filter.allOf)
        writer.writeTagList(filter.anyOf)
        writer.writeTagList(contextTags)
        writer.write(UInt8(truncatingIfNeeded: callerFeatures.count))
        for feature in callerFeatures {
            precondition(feature.groups.count == feature.values.count, "CallerFeature groups and values differ in length")
            writer.write(string: feature.name)
            writer.write(UInt32(truncatingIfNeeded: feature.groups.count))
            writer.write(uint64s: feature.groups)
            writer.write(floats: feature.values)
        }
        writer.write(floats: query)
    }

    /// Reads the request in its wire order.
    /// - Throws: ``ErrorCode/malformedPayload`` when a field is truncated, a string
    ///   is not UTF-8, or `options` has a bit other than `WITH_FEATURES` set.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        let dim = Int(try reader.read(UInt32.self, "dim"))
        k = Int(try reader.read(UInt32.self, "k"))
        candidates = Int(try reader.read(UInt32.self, "candidates"))
        ef = Int(try reader.read(UInt32.self, "ef"))
        withFeatures = try reader.readOptions(known: Self.withFeaturesBit, "options") & Self.withFeaturesBit != 0
        let allOf = try reader.readTagList("allOf")
        let anyOf = try reader.readTagList("anyOf")
        filter = TagFilter(allOf: allOf, anyOf: anyOf)
        contextTags = try reader.readTagList("contextTags")
        let featureCount = Int(try reader.read(UInt8.self, "callerFeatureCount"))
        var features: [CallerFeature] = []
        for _ in 0..<featureCount {
            let name = try reader.readString("callerFeature name")
            let n = Int(try reader.read(UInt32.self, "callerFeature count"))
            let groups = try reader.readUInt64s(count: n, "callerFeature groups")
            let values = try reader.readFloats(count: n, "callerFeature values")
            features.append(CallerFeature(name: name, groups: groups, values: values))
        }
        callerFeatures = features
        query = try reader.readFloats(count: dim, "query")
    }

    /// Checks what needs no ranker: the collection name, the dimension (1–16384),
    /// `k` (1–1000), the candidate count (0 or 1–10000), `ef` (0, or C–100000),
    /// the tag rules of the filter and the context tags, at most 32 caller
    /// features, no name twice, and as many values as groups in each.
    /// Registry names and value ranges are the server's to check.
    /// - Throws: ``ErrorCode/invalidArgument`` naming the field and its value.
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "RANK")
        try Validate.dimension(query.count, in: "RANK")
        guard (1...1000).contains(k) else { throw WireError(.invalidArgument, "RANK: k = \(k) groups is outside 1–1000") }
        guard candidates == 0 || WireLimits.k.contains(candidates) else {
            throw WireError(.invalidArgument, "RANK: candidate count C = \(candidates) is outside 1–10000 (0 for the default 100)")
        }
        let c = resolvedCandidates
        guard ef == 0 || (ef >= c && ef <= WireLimits.maxEf) else {
            throw WireError(.invalidArgument, "RANK: ef = \(ef) must be 0 (default) or between C = \(c) and 100000")
        }
        try Validate.tags(filter.allOf, field: "filter allOf", in: "RANK")
        try Validate.tags(filter.anyOf, field: "filter anyOf", in: "RANK")
        try Validate.tags(contextTags, field: "context tags", in: "RANK")
        guard callerFeatures.count <= Self.maxCallerFeatures else {
            throw WireError(.invalidArgument, "RANK: \(callerFeatures.count) caller features, at most \(Self.maxCallerFeatures)")
        }
        var names = Set<String>()
        for feature in callerFeatures {
            guard names.insert(feature.name).inserted else {
                throw WireError(.invalidArgument, "RANK: caller feature \"\(feature.name)\" is sent twice")
            }
            guard feature.groups.count == feature.values.count else {
                throw WireError(.invalidArgument, "RANK: caller feature \"\(feature.name)\" has \(feature.groups.count) groups and \(feature.values.count) values")
            }
        }
    }
}

/// A score with its interval, in probability space: the ranker's estimate of
/// P(resolved | query, group) and the bounds the answer service checks.
public struct RankScore: Sendable, Equatable, Hashable {
    /// The mean estimate.
    public var score: Double
    /// Lower end of the interval, σ(logit − α·sd) with α = 1.96 by default
    /// (about 95 %): what the answer service's escalation check compares.
    public var lower: Double
    /// Upper end of the interval, σ(logit + α·sd).
    public var upper: Double

    /// Creates a score; nothing is checked. The ranker's three values are
    /// probabilities in (0, 1) with `lower ≤ score ≤ upper`.
    public init(score: Double, lower: Double, upper: Double) {
        self.score = score
        self.lower = lower
        self.upper = upper
    }
}

/// One group of a `RANK` reply.
public struct RankedItem: Sendable, Equatable {
    /// The group id (§4): shared by an article and its aliases, or a vector's own
    /// id when its group is 0.
    public var group: UInt64
    /// The group's nearest vector among the candidates, and its similarity.
    public var bestVector: UInt64
    /// Similarity of ``bestVector`` to the query: `1 − distance` under cosine and
    /// ip, `1 − distance / 2` under l2.
    public var bestSimilarity: Float
    /// The ranker's estimate of P(resolved) for this group, with its interval.
    public var score: RankScore
    /// Probability that this group was put first under the logging policy.
    public var propensity: Double
    /// The feature values, in the order of ``RankResponse/featureNames`` (empty without features).
    public var features: [Float]

    /// Creates an entry of a `RANK` reply.
    public init(group: UInt64, bestVector: UInt64, bestSimilarity: Float, score: RankScore, propensity: Double,
                features: [Float] = []) {
        self.group = group
        self.bestVector = bestVector
        self.bestSimilarity = bestSimilarity
        self.score = score
        self.propensity = propensity
        self.features = features
    }
}

/// `RANK` reply: the impression id for `FEEDBACK` and the groups in the order to show.
public struct RankResponse: WireMessage {
    /// The `RANK` reply travels as kind `0x31`, like the request.
    public static let kind = MessageKind.rank

    /// 0 when there were no candidates (nothing was logged).
    public var impression: UInt64
    /// True when exploration put a group other than the best one first.
    public var explored: Bool
    /// The feature names, once (empty when features were not asked for).
    public var featureNames: [String]
    /// At most `k` groups in the order to show: descending score unless ``explored``.
    public var groups: [RankedItem]

    /// Creates the reply; every group's ``RankedItem/features`` must follow ``featureNames``.
    public init(impression: UInt64, explored: Bool, featureNames: [String], groups: [RankedItem]) {
        self.impression = impression
        self.explored = explored
        self.featureNames = featureNames
        self.groups = groups
    }

    /// The payload size, a few bytes over: fixed fields, names and 52 bytes plus the features per group.
    public var encodedSizeHint: Int {
        16 + featureNames.reduce(0) { $0 + 2 + $1.utf8.count } + groups.count * (52 + featureNames.count * 4)
    }

    /// Writes `u64 impression, u8 explored, u8 featureCount, featureCount × str`,
    /// `u32 groupCount`, then per group `u64 group, u64 bestVector, f32
    /// bestSimilarity, f64 score, f64 lower, f64 upper, f64 propensity,
    /// f32[featureCount] features`.
    /// - Precondition: every group has one feature value per name.
    public func encode(into writer: inout ByteWriter) {
        writer.write(impression)
        writer.write(UInt8(explored ? 1 : 0))
        writer.write(UInt8(truncatingIfNeeded: featureNames.count))
        for name in featureNames { writer.write(string: name) }
        writer.write(UInt32(truncatingIfNeeded: groups.count))
        for item in groups {
            precondition(item.features.count == featureNames.count, "RankedItem features do not match featureNames")
            writer.write(item.group)
            writer.write(item.bestVector)
            writer.write(item.bestSimilarity)
            writer.write(item.score.score.bitPattern)
            writer.write(item.score.lower.bitPattern)
            writer.write(item.score.upper.bitPattern)
            writer.write(item.propensity.bitPattern)
            writer.write(floats: item.features)
        }
    }

    /// Reads the reply in its wire order.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated,
    ///   `explored` is neither 0 nor 1, or a name is not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        impression = try reader.read(UInt64.self, "impression")
        let explored = try reader.read(UInt8.self, "explored")
        guard explored <= 1 else { throw WireError(.malformedPayload, "RANK explored is \(explored); expected 0 or 1") }
        self.explored = explored == 1
        let nameCount = Int(try reader.read(UInt8.self, "featureCount"))
        var names: [String] = []
        for _ in 0..<nameCount { names.append(try reader.readString("featureName")) }
        featureNames = names
        let count = Int(try reader.read(UInt32.self, "groupCount"))
        var list: [RankedItem] = []
        list.reserveCapacity(min(count, reader.remaining / 52))
        for _ in 0..<count {
            let group = try reader.read(UInt64.self, "group")
            let best = try reader.read(UInt64.self, "bestVector")
            let similarity = Float(bitPattern: try reader.read(UInt32.self, "bestSimilarity"))
            let score = Double(bitPattern: try reader.read(UInt64.self, "score"))
            let lower = Double(bitPattern: try reader.read(UInt64.self, "lower"))
            let upper = Double(bitPattern: try reader.read(UInt64.self, "upper"))
            let propensity = Double(bitPattern: try reader.read(UInt64.self, "propensity"))
            let features = try reader.readFloats(count: nameCount, "features")
            list.append(RankedItem(group: group, bestVector: best, bestSimilarity: similarity,
                                   score: RankScore(score: score, lower: lower, upper: upper), propensity: propensity,
                                   features: features))
        }
        groups = list
    }
}

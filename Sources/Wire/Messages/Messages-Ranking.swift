import Primitives

/// One caller-computed feature for some of the candidate groups of a `RANK`
/// (§7.10.1): a name from the ranker's registry (`lexical_overlap`, `bm25`, …)
/// and a value in [-1, 1] per group it concerns; groups it does not name get 0.
public struct CallerFeature: Sendable, Equatable, Hashable {
    public var name: String
    /// Group ids, parallel to ``values``.
    public var groups: [UInt64]
    public var values: [Float]

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
    public typealias Response = RankResponse
    public static let kind = MessageKind.rank

    /// Bit 0 of `options`: return each group's feature vector.
    public static let withFeaturesBit: UInt8 = 0x01
    /// Most caller features in one request.
    public static let maxCallerFeatures = 32

    public var collection: String
    public var query: [Float]
    /// Groups to return, 1–1000.
    public var k: Int
    /// Candidate vectors searched (C), 1–10000; 0 for the server's default (100).
    public var candidates: Int
    /// 0 for `max(C, 64)`; otherwise at least the candidate count.
    public var ef: Int
    /// Whether the reply carries each group's feature values.
    public var withFeatures: Bool
    public var filter: TagFilter
    /// The query's context (`plan:trial`, `page:/billing`), matched against the groups' tags.
    public var contextTags: [String]
    public var callerFeatures: [CallerFeature]

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

    public var encodedSizeHint: Int {
        32 + collection.utf8.count + query.count * 4
            + (filter.allOf + filter.anyOf + contextTags).reduce(0) { $0 + 2 + $1.utf8.count }
            + callerFeatures.reduce(0) { $0 + 6 + $1.name.utf8.count + $1.groups.count * 12 }
    }

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
    public var lower: Double
    public var upper: Double

    public init(score: Double, lower: Double, upper: Double) {
        self.score = score
        self.lower = lower
        self.upper = upper
    }
}

/// One group of a `RANK` reply.
public struct RankedItem: Sendable, Equatable {
    public var group: UInt64
    /// The group's nearest vector among the candidates, and its similarity.
    public var bestVector: UInt64
    public var bestSimilarity: Float
    public var score: RankScore
    /// Probability that this group was put first under the logging policy.
    public var propensity: Double
    /// The feature values, in the order of ``RankResponse/featureNames`` (empty without features).
    public var features: [Float]

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
    public static let kind = MessageKind.rank

    /// 0 when there were no candidates (nothing was logged).
    public var impression: UInt64
    /// True when exploration put a group other than the best one first.
    public var explored: Bool
    /// The feature names, once (empty when features were not asked for).
    public var featureNames: [String]
    public var groups: [RankedItem]

    public init(impression: UInt64, explored: Bool, featureNames: [String], groups: [RankedItem]) {
        self.impression = impression
        self.explored = explored
        self.featureNames = featureNames
        self.groups = groups
    }

    public var encodedSizeHint: Int {
        16 + featureNames.reduce(0) { $0 + 2 + $1.utf8.count } + groups.count * (52 + featureNames.count * 4)
    }

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

/// What happened after an answer was shown (§7.10.2): the `FEEDBACK` outcomes.
public enum FeedbackOutcome: Sendable, Equatable, Hashable {
    case resolved
    case escalated
    /// An agent answered instead, with the group they used if any.
    case corrected(groupUsedInstead: UInt64?)
    /// Customer satisfaction, 1 (worst) to 5 (best).
    case csat(UInt8)
    /// Takes back an earlier `resolved` on the same impression and group.
    case reopened

    /// The `u8 outcome` of the wire layout.
    public var code: UInt8 {
        switch self {
        case .resolved: 1
        case .escalated: 2
        case .corrected: 3
        case .csat: 4
        case .reopened: 5
        }
    }
}

/// `FEEDBACK` request (§7.10.2): the outcome of one group of an impression.
public struct FeedbackRequest: WireRequest {
    public typealias Response = FeedbackResponse
    public static let kind = MessageKind.feedback

    public var collection: String
    public var impression: UInt64
    public var group: UInt64
    /// Seconds since the Unix epoch when the outcome happened; 0 for the server's clock now.
    public var time: Double
    public var outcome: FeedbackOutcome

    public init(collection: String, impression: UInt64, group: UInt64, outcome: FeedbackOutcome, time: Double = 0) {
        self.collection = collection
        self.impression = impression
        self.group = group
        self.outcome = outcome
        self.time = time
    }

    public var encodedSizeHint: Int { 40 + collection.utf8.count }

    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(impression)
        writer.write(group)
        writer.write(time.bitPattern)
        writer.write(outcome.code)
        switch outcome {
        case .corrected(let instead): writer.write(instead ?? 0)
        case .csat(let score): writer.write(score)
        default: break
        }
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        impression = try reader.read(UInt64.self, "impression")
        group = try reader.read(UInt64.self, "group")
        time = Double(bitPattern: try reader.read(UInt64.self, "time"))
        let code = try reader.read(UInt8.self, "outcome")
        switch code {
        case 1: outcome = .resolved
        case 2: outcome = .escalated
        case 3:
            let instead = try reader.read(UInt64.self, "groupUsedInstead")
            outcome = .corrected(groupUsedInstead: instead == 0 ? nil : instead)
        case 4: outcome = .csat(try reader.read(UInt8.self, "csat"))
        case 5: outcome = .reopened
        default:
            throw WireError(.malformedPayload,
                            "FEEDBACK outcome \(code) is unknown; use 1 resolved, 2 escalated, 3 corrected, 4 csat, 5 reopened")
        }
    }

    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "FEEDBACK")
        guard time.isFinite, time >= 0 else {
            throw WireError(.invalidArgument, "FEEDBACK: time \(time) must be finite seconds since the epoch, or 0 for now")
        }
    }
}

/// One group's new score after a `FEEDBACK`.
public struct GroupScore: Sendable, Equatable {
    public var group: UInt64
    public var score: RankScore

    public init(group: UInt64, score: RankScore) {
        self.group = group
        self.score = score
    }
}

/// `FEEDBACK` reply: the rescored groups — first the group the feedback named,
/// then, for a correction, the group used instead if it was shown.
public struct FeedbackResponse: WireMessage {
    public static let kind = MessageKind.feedback

    public var groups: [GroupScore]
    public init(groups: [GroupScore]) { self.groups = groups }

    public var encodedSizeHint: Int { 4 + groups.count * 32 }

    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: groups.count))
        for entry in groups {
            writer.write(entry.group)
            writer.write(entry.score.score.bitPattern)
            writer.write(entry.score.lower.bitPattern)
            writer.write(entry.score.upper.bitPattern)
        }
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "count"))
        var list: [GroupScore] = []
        list.reserveCapacity(min(count, reader.remaining / 32))
        for _ in 0..<count {
            let group = try reader.read(UInt64.self, "group")
            let score = Double(bitPattern: try reader.read(UInt64.self, "score"))
            let lower = Double(bitPattern: try reader.read(UInt64.self, "lower"))
            let upper = Double(bitPattern: try reader.read(UInt64.self, "upper"))
            list.append(GroupScore(group: group, score: RankScore(score: score, lower: lower, upper: upper)))
        }
        groups = list
    }
}

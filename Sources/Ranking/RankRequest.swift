/// One vector the index returned for the query, in rank order.
///
/// The ranker never sees vectors: the core's search hands it these plain
/// values, so `Ranking` stays independent of `VectorIndex`.
public struct CandidateHit: Sendable, Equatable {
    /// The vector's id in its collection.
    public var vectorID: UInt64
    /// The group (article) the vector stands for.
    public var groupID: UInt64
    /// Similarity to the query, finite, higher is closer: the core passes
    /// `1 − distance` under cosine and ip and `1 − distance / 2` under l2 (the cosine for unit vectors).
    public var similarity: Float
    /// True when the vector is a learned alias (a resolved question), false for the article itself.
    public var isAlias: Bool

    /// Creates a hit; the core builds one per candidate vector of its search, in rank order.
    public init(vectorID: UInt64, groupID: UInt64, similarity: Float, isAlias: Bool) {
        self.vectorID = vectorID
        self.groupID = groupID
        self.similarity = similarity
        self.isAlias = isAlias
    }
}

/// What the core stores about a group that the ranker's features need.
/// Outcome history is not here: the ranker keeps it itself.
public struct GroupInfo: Sendable, Equatable {
    /// The group's tags (`plan:pro`, `topic:billing`, …), hashed once by the
    /// caller. A slice, so a caller that keeps every group's tags in one
    /// buffer hands them over without an array (and a retain) per group.
    public var tags: ArraySlice<ContextTag>
    /// When the group was inserted (seconds, same clock as ``RankRequest/now``).
    public var insertedAt: Double?
    /// When the group was last updated; the age feature uses the later of the two.
    public var updatedAt: Double?

    /// Creates a group's information; every field defaults to "unknown" (no tags, no times).
    public init(tags: ArraySlice<ContextTag> = [], insertedAt: Double? = nil, updatedAt: Double? = nil) {
        self.tags = tags
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    /// Creates a group's information from an array of tags.
    public init(tags: [ContextTag], insertedAt: Double? = nil, updatedAt: Double? = nil) {
        self.init(tags: tags[...], insertedAt: insertedAt, updatedAt: updatedAt)
    }

    public static func == (a: GroupInfo, b: GroupInfo) -> Bool {
        a.tags.elementsEqual(b.tags) && a.insertedAt == b.insertedAt && a.updatedAt == b.updatedAt
    }
}

/// A request's per-group information, in the shape its caller has at hand.
public enum RequestGroups: Sendable {
    /// Looked up by group id; a group without an entry has no tags and an unknown age.
    case byID([UInt64: GroupInfo])
    /// One entry per distinct group of the hits, in the order of each group's
    /// first hit — what a caller that has just walked the hits builds without
    /// a dictionary (the core's `RANK`). ``Ranker/rank(_:)`` refuses a count
    /// that differs from the number of distinct groups.
    case inFirstHitOrder([GroupInfo])
    /// As ``inFirstHitOrder(_:)``, laid out flat (``GroupInfoList``), with
    /// each hit's place in that list as well (`groupOfHit[i]` for `hits[i]`):
    /// what a caller that has just grouped the hits itself (the core's `RANK`)
    /// hands over, so that the ranker neither groups them again by hashing
    /// every hit's group id nor retains a tag array per group.
    /// ``Ranker/rank(_:)`` refuses a list whose places are not in first-hit
    /// order, or whose hit names another group than the first hit at its
    /// place; that distinct places hold distinct groups is the caller's promise.
    case grouped(GroupInfoList, groupOfHit: [UInt32])

    /// How many infos the shapes in first-hit order carry, or nil for ``byID(_:)``.
    var orderedCount: Int? {
        switch self {
        case .byID: nil
        case let .inFirstHitOrder(infos): infos.count
        case let .grouped(list, _): list.count
        }
    }
}

/// Everything one ranking needs.
public struct RankRequest: Sendable {
    /// The top-C hits of the search, best first (non-increasing similarity).
    public var hits: [CandidateHit]
    /// Per-group information; a group without an entry has no tags and an unknown age.
    public var groups: RequestGroups
    /// The query's context tags (plan, page, account state, previous topic…).
    public var contextTags: [ContextTag]
    /// Caller-computed per-group features by name (name → group → value in [-1, 1]).
    /// Names must be in ``FeatureSchema/callerFeatureNames``; a missing value is 0.
    public var callerFeatures: [String: [UInt64: Float]]
    /// How many groups to return (fewer when fewer groups are among the hits).
    public var k: Int
    /// The request time in seconds (any epoch, the same clock as group times and feedback).
    public var now: Double

    /// Creates a ranking request; ``Ranker/rank(_:)`` checks it (hits in rank
    /// order with finite similarities, `k` ≥ 1, a finite `now`, registered
    /// caller features with values in [-1, 1]).
    public init(hits: [CandidateHit], groups: [UInt64: GroupInfo] = [:], contextTags: [ContextTag] = [],
                callerFeatures: [String: [UInt64: Float]] = [:], k: Int, now: Double) {
        self.init(hits: hits, groups: .byID(groups), contextTags: contextTags, callerFeatures: callerFeatures, k: k, now: now)
    }

    /// Creates a ranking request with its group information in either shape.
    public init(hits: [CandidateHit], groups: RequestGroups, contextTags: [ContextTag] = [],
                callerFeatures: [String: [UInt64: Float]] = [:], k: Int, now: Double) {
        self.hits = hits
        self.groups = groups
        self.contextTags = contextTags
        self.callerFeatures = callerFeatures
        self.k = k
        self.now = now
    }
}

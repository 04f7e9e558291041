/// Why a ranking call was refused. Every case carries the offending value, so
/// the daemon can pass the description to its client unchanged.
public enum RankingError: Error, Equatable, CustomStringConvertible {
    /// No impression with this id was ever issued by this ranker (or its restored state).
    case unknownImpression(id: UInt64, newestIssued: UInt64)
    /// The impression existed but no longer accepts feedback: it was evicted
    /// (`age` nil: pushed out by newer impressions or by age) or is older than
    /// `maxAge` seconds.
    case expiredImpression(id: UInt64, age: Double?, maxAge: Double)
    /// The group was not among the groups shown in the impression.
    case groupNotInImpression(impression: UInt64, group: UInt64, shown: [UInt64])
    /// The group already has a terminal outcome in this impression (feedback is
    /// not idempotent: a retry must not count twice).
    case outcomeAlreadyRecorded(impression: UInt64, group: UInt64, previous: String)
    /// `reopened` needs an earlier `resolved` on the same impression and group.
    case nothingToReopen(impression: UInt64, group: UInt64, state: String)
    /// CSAT is a score from 1 to 5.
    case csatOutOfRange(Int)
    /// The group's CSAT for this impression was already recorded.
    case csatAlreadyRecorded(impression: UInt64, group: UInt64)
    /// A caller feature name outside the fixed registry (``FeatureSchema/callerFeatureNames``).
    case unknownCallerFeature(name: String, allowed: [String])
    /// A caller feature value outside [-1, 1] or not finite.
    case callerFeatureOutOfRange(name: String, group: UInt64, value: Float)
    /// A candidate's similarity is NaN or infinite.
    case nonFiniteSimilarity(vectorID: UInt64, value: Float)
    /// Candidate hits must come in rank order (non-increasing similarity).
    case hitsNotInRankOrder(index: Int, previous: Float, similarity: Float)
    /// `k` (groups to return) must be at least 1.
    case invalidK(Int)
    /// Group information in first-hit order must have one entry per distinct group of the hits.
    case groupInfoCount(expected: Int, got: Int)
    /// A hit's place in ``RequestGroups/grouped(_:groupOfHit:)`` is out of
    /// first-hit order, or holds another group than the hit's.
    case groupOfHitMismatch(index: Int, place: Int, groupID: UInt64)
    /// A request or record time that is not a finite number of seconds.
    case invalidTime(Double)
    /// A weight vector with the wrong number of entries.
    case wrongDimension(expected: Int, got: Int)
    /// A feature name that is not in ``FeatureSchema/names``.
    case unknownFeature(name: String)
    /// A configuration value that cannot work.
    case invalidConfiguration(field: String, value: String, reason: String)
    /// An impression log record whose id is not newer than the newest issued one.
    case impressionOutOfOrder(id: UInt64, newestIssued: UInt64)

    /// One line for logs and error replies, with the offending value and, where
    /// there is one, what was expected.
    public var description: String {
        switch self {
        case let .unknownImpression(id, newest):
            return "unknown impression \(id) (newest issued: \(newest))"
        case let .expiredImpression(id, age, maxAge):
            if let age { return "impression \(id) expired: \(age) s old, feedback is accepted for \(maxAge) s" }
            return "impression \(id) expired: evicted from the impression store (raise maxImpressions or maxImpressionAge to keep more)"
        case let .groupNotInImpression(impression, group, shown):
            return "group \(group) was not shown in impression \(impression) (shown: \(shown))"
        case let .outcomeAlreadyRecorded(impression, group, previous):
            return "impression \(impression) already has outcome \(previous) for group \(group)"
        case let .nothingToReopen(impression, group, state):
            return "cannot reopen group \(group) in impression \(impression): its outcome is \(state), not resolved"
        case let .csatOutOfRange(score):
            return "CSAT \(score) is out of range: expected 1…5"
        case let .csatAlreadyRecorded(impression, group):
            return "impression \(impression) already has a CSAT for group \(group)"
        case let .unknownCallerFeature(name, allowed):
            return "unknown caller feature \"\(name)\": allowed names are \(allowed.joined(separator: ", "))"
        case let .callerFeatureOutOfRange(name, group, value):
            return "caller feature \(name) = \(value) for group \(group): expected a finite value in [-1, 1]"
        case let .nonFiniteSimilarity(vectorID, value):
            return "candidate vector \(vectorID) has similarity \(value): expected a finite number"
        case let .hitsNotInRankOrder(index, previous, similarity):
            return "candidate hits must be in rank order: hit \(index) has similarity \(similarity) after \(previous)"
        case let .invalidK(k):
            return "k = \(k): expected at least 1 group to return"
        case let .groupInfoCount(expected, got):
            return "\(got) group infos in first-hit order for \(expected) distinct groups among the hits: expected one per group"
        case let .groupOfHitMismatch(index, place, groupID):
            return "hit \(index) (group \(groupID)) is given place \(place) among the groups: expected the place of its group's first hit, or the next new place"
        case let .invalidTime(t):
            return "time \(t): expected finite seconds"
        case let .wrongDimension(expected, got):
            return "weight vector has \(got) entries, expected \(expected) (one per feature in FeatureSchema.names)"
        case let .unknownFeature(name):
            return "unknown feature \"\(name)\": see FeatureSchema.names"
        case let .invalidConfiguration(field, value, reason):
            return "ranker configuration \(field) = \(value): \(reason)"
        case let .impressionOutOfOrder(id, newest):
            return "impression record \(id) is not newer than impression \(newest): log records must be applied in order"
        }
    }
}

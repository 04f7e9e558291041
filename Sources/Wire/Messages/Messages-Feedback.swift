import Primitives

/// What happened after an answer was shown (§7.10.2): the `FEEDBACK` outcomes.
public enum FeedbackOutcome: Sendable, Equatable, Hashable {
    /// The answer resolved the question: reward 1, a terminal outcome.
    case resolved
    /// The customer went to an agent: reward 0, a terminal outcome.
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
    /// A `FEEDBACK` is answered by a ``FeedbackResponse`` with the groups' new scores.
    public typealias Response = FeedbackResponse
    /// `FEEDBACK` travels as kind `0x32` (protocol 1.2).
    public static let kind = MessageKind.feedback

    /// Name of the collection whose ranker issued the impression (1–64 bytes of
    /// `[A-Za-z0-9_.-]`, not starting with `.`).
    public var collection: String
    /// The impression id from the ``RankResponse``; an id never issued is
    /// ``ErrorCode/unknownImpression``, an evicted or too old one ``ErrorCode/impressionExpired``.
    public var impression: UInt64
    /// A group shown in that impression; another is ``ErrorCode/groupNotInImpression``.
    public var group: UInt64
    /// Seconds since the Unix epoch when the outcome happened; 0 for the server's clock now.
    public var time: Double
    /// What happened; each (impression, group) takes one terminal outcome, one
    /// CSAT, and `reopened` only after `resolved`.
    public var outcome: FeedbackOutcome

    /// Creates a `FEEDBACK`; `time` 0 (the default) means the server's clock.
    public init(collection: String, impression: UInt64, group: UInt64, outcome: FeedbackOutcome, time: Double = 0) {
        self.collection = collection
        self.impression = impression
        self.group = group
        self.outcome = outcome
        self.time = time
    }

    /// An upper bound of the payload size: the name, the fixed fields and the outcome's extra field.
    public var encodedSizeHint: Int { 40 + collection.utf8.count }

    /// Writes `str collection, u64 impression, u64 group, f64 time, u8 outcome`,
    /// then `u64 groupUsedInstead` (0 for none) after `corrected` or `u8 score` after `csat`.
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

    /// Reads the request in its wire order.
    /// - Throws: ``ErrorCode/malformedPayload`` when a field is truncated, the name
    ///   is not UTF-8, or the outcome code is outside 1–5.
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

    /// Checks the collection name and that `time` is finite and not negative. A
    /// CSAT score outside 1–5 is the server's ``ErrorCode/invalidOutcome``.
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name or time.
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "FEEDBACK")
        guard time.isFinite, time >= 0 else {
            throw WireError(.invalidArgument, "FEEDBACK: time \(time) must be finite seconds since the epoch, or 0 for now")
        }
    }
}

/// One group's new score after a `FEEDBACK`.
public struct GroupScore: Sendable, Equatable {
    /// The group rescored.
    public var group: UInt64
    /// Its P(resolved) and interval after learning, on the impression's features.
    public var score: RankScore

    /// Creates an entry of a `FEEDBACK` reply.
    public init(group: UInt64, score: RankScore) {
        self.group = group
        self.score = score
    }
}

/// `FEEDBACK` reply: the rescored groups — first the group the feedback named,
/// then, for a correction, the group used instead if it was shown.
public struct FeedbackResponse: WireMessage {
    /// The `FEEDBACK` reply travels as kind `0x32`, like the request.
    public static let kind = MessageKind.feedback

    /// The named group first, then, for a correction, the group used instead if it was shown.
    public var groups: [GroupScore]
    /// Creates the reply from the rescored groups.
    public init(groups: [GroupScore]) { self.groups = groups }

    /// The exact payload size: the count and 32 bytes per group.
    public var encodedSizeHint: Int { 4 + groups.count * 32 }

    /// Writes `u32 n, n × (u64 group, f64 score, f64 lower, f64 upper)`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: groups.count))
        for entry in groups {
            writer.write(entry.group)
            writer.write(entry.score.score.bitPattern)
            writer.write(entry.score.lower.bitPattern)
            writer.write(entry.score.upper.bitPattern)
        }
    }

    /// Reads the rescored groups.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated.
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

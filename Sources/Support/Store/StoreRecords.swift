import Foundation

/// An answer the service gave (or an escalation it made), as the store keeps it.
public struct AnswerRecord: Sendable, Equatable {
    /// The store's key; the public impression id is ``impressionID``.
    public var key: Int64
    /// The core's impression id (0 when nothing matched and nothing was logged).
    public var coreImpression: UInt64
    /// The core collection generation the impression belongs to (bumped by `reindex`).
    public var generation: Int
    public var conversationID: String
    public var question: String
    /// The vector that was ranked (the question in its conversation), kept so an
    /// outcome can insert it as an alias without embedding again.
    public var vector: [Float]
    /// The best candidate's article key (group id), if any.
    public var articleKey: Int64?
    /// Groups shown in the impression, best first (feedback may only name these).
    public var shownGroups: [UInt64]
    public var topic: String?
    public var decision: Decision
    public var reason: String
    public var score: Double
    public var lower: Double
    public var upper: Double
    public var threshold: Double
    public var createdAt: Date
    /// The terminal outcome recorded so far, if any.
    public var outcome: OutcomeKind?
    /// Whether the best candidate was the right answer, once an outcome tells.
    public var topWasRight: Bool?
    /// The alias the resolving outcome inserted, if any (taken back on reopen).
    public var aliasKey: Int64?

    /// The id callers use: `imp_<key>`.
    public var impressionID: String { "imp_\(key)" }

    /// Parses an id made by ``impressionID``.
    public static func key(fromImpressionID id: String) -> Int64? {
        guard id.hasPrefix("imp_") else { return nil }
        return Int64(id.dropFirst(4))
    }
}

/// A question kept as an alias vector of an article.
public struct AliasRecord: Sendable, Equatable {
    public var key: Int64
    public var articleKey: Int64
    public var answerKey: Int64?
    public var question: String
    public var vector: [Float]
    public var active: Bool
    public var createdAt: Date
}

/// One turn of a conversation.
public struct ConversationTurn: Sendable, Equatable, Codable {
    public enum Role: String, Codable, Sendable { case customer, service, agent }
    public var role: Role
    public var text: String
    public var answerKey: Int64?
    public var createdAt: Date
}

/// One outcome event as received.
public struct OutcomeEventRecord: Sendable, Equatable {
    public var answerKey: Int64
    public var kind: OutcomeKind
    public var csat: Int?
    public var agentReply: String?
    public var articleID: String?
    public var eventID: String?
    public var createdAt: Date
}

/// A change the core must receive, kept in the store until it is acknowledged:
/// the outbox that makes outcomes survive a core that is down.
public enum CoreOperation: Codable, Sendable, Equatable {
    /// FEEDBACK on an impression. `outcome` uses the wire codes (1 resolved … 5 reopened).
    case feedback(generation: Int, impression: UInt64, group: UInt64, outcome: UInt8, groupUsedInstead: UInt64?, csat: UInt8?)
    /// UPSERT of vectors (ids, row-major vectors, groups, tags per item).
    case upsert(ids: [UInt64], vectors: [Float], groups: [UInt64], tags: [[String]])
    /// DELETE of vector ids.
    case delete(ids: [UInt64])
}

/// A queued ``CoreOperation``.
public struct QueuedOperation: Sendable, Equatable {
    public var sequence: Int64
    public var operation: CoreOperation
    public var attempts: Int
}

/// Counts per day for the reports.
public struct DailyCounts: Sendable, Equatable, Codable {
    public var day: String
    public var asked: Int
    public var answered: Int
    public var escalated: Int
    public var resolved: Int
    public var reopened: Int
    public var corrected: Int
    public var wrong: Int
    public var csatSum: Int
    public var csatCount: Int
}

import Foundation

/// Conversations and the answers given in them, as the store keeps them. A part
/// of ``SupportStore``.
public protocol ConversationStore: Sendable {
    /// Whether a conversation with this id was ever opened.
    func conversationExists(id: String) throws -> Bool
    /// The answer with the store's key (see ``AnswerRecord/key(fromImpressionID:)``).
    func answer(key: Int64) throws -> AnswerRecord?
    /// The latest answers of a conversation, newest first: what a follow-up is ranked with,
    /// and (the first) what an outcome naming only the conversation is about.
    func latestAnswers(conversationID: String, limit: Int) throws -> [AnswerRecord]
    /// The newest answers, newest first.
    func recentAnswers(limit: Int) throws -> [AnswerRecord]
    /// Answers whose best candidate's rightness is known, newest first: the escalation policy's evidence.
    func judgedAnswers(limit: Int) throws -> [(topic: String?, lower: Double, right: Bool)]
    /// A conversation's turns in the order they were appended: its transcript (none for a
    /// conversation never opened).
    func conversationTurns(id: String) throws -> [ConversationTurn]
}

extension ConversationStore {
    /// The latest answer of a conversation.
    public func latestAnswer(conversationID: String) throws -> AnswerRecord? {
        try latestAnswers(conversationID: conversationID, limit: 1).first
    }
}

/// The conversation writes of a ``SupportStoreWriter``.
public protocol ConversationStoreWriter {
    /// Creates the conversation if needed and appends turns. A non-empty `context`
    /// replaces the conversation's account context; an empty one keeps it.
    func appendTurns(conversationID: String, context: [String: String], turns: [ConversationTurn]) throws
    /// Records an answer and returns its key.
    func insertAnswer(_ answer: AnswerRecord) throws -> Int64
    /// Applies what an outcome changes about an answer (``AnswerUpdate``).
    func updateAnswer(_ update: AnswerUpdate) throws
}

/// An answer the service gave (or an escalation it made), as the store keeps it.
public struct AnswerRecord: Sendable, Equatable {
    /// The store's key; the public impression id is ``impressionID``.
    public var key: Int64
    /// The core's impression id (0 when nothing matched and nothing was logged).
    public var coreImpression: UInt64
    /// The core collection generation the impression belongs to (bumped by `reindex`).
    public var generation: Int
    /// The conversation the question was asked in.
    public var conversationID: String
    /// The question as asked, trimmed.
    public var question: String
    /// The question's own embedding (not blended with its conversation), kept so
    /// an outcome can insert it as an alias, and the gaps can cluster it, without
    /// embedding again.
    public var vector: [Float]
    /// The best candidate's article key (group id), if any.
    public var articleKey: Int64?
    /// Groups shown in the impression, best first (feedback may only name these).
    public var shownGroups: [UInt64]
    /// The best candidate's topic (``Article/topic``), the one the policy judged.
    public var topic: String?
    /// What the service did with the question.
    public var decision: Decision
    /// Why, in words (``AskResponse/reason``).
    public var reason: String
    /// The ranker's P(resolved) for the best candidate (0 without one).
    public var score: Double
    /// The lower end of its interval: what the policy compares with the threshold.
    public var lower: Double
    /// The upper end of its interval.
    public var upper: Double
    /// The lower bound the topic needed when the decision was made.
    public var threshold: Double
    /// When the question was asked (the service's clock).
    public var createdAt: Date
    /// The terminal outcome recorded so far, if any.
    public var outcome: OutcomeKind?
    /// Whether the best candidate was the right answer, once an outcome tells.
    public var topWasRight: Bool?
    /// The alias the resolving outcome inserted, if any (taken back on reopen).
    public var aliasKey: Int64?
    /// The topic's mode when the question was asked (``TopicMode``).
    public var mode: TopicMode = .live
    /// In shadow mode, what live would have decided (``decision`` is then `escalate`).
    public var shadowDecision: Decision?
    /// The account context the question was asked with, hashed (``ContextHash``): what an
    /// alias made of this question carries, so context learning sees it.
    public var context: [ContextHash] = []

    /// The id callers use: `imp_<key>`.
    public var impressionID: String { "imp_\(key)" }

    /// Parses an id made by ``impressionID``.
    /// - Returns: the store key, or nil when `id` is not `imp_<number>`.
    public static func key(fromImpressionID id: String) -> Int64? {
        guard id.hasPrefix("imp_") else { return nil }
        return Int64(id.dropFirst(4))
    }
}

/// How an outcome changes the answer it is about.
public struct AnswerUpdate: Sendable, Equatable {
    /// The answer changed.
    public var answerKey: Int64
    /// The terminal outcome to record; nil leaves the recorded one.
    public var outcome: OutcomeKind?
    /// Whether the best candidate proved right; nil leaves it unjudged. A judged
    /// answer joins the escalation policy's evidence.
    public var topWasRight: Bool?
    /// `.some(nil)` clears the alias, `.some(k)` sets it, `nil` leaves it.
    public var aliasKey: Int64??

    /// An update that changes only what is given.
    public init(answerKey: Int64, outcome: OutcomeKind? = nil, topWasRight: Bool? = nil, aliasKey: Int64?? = nil) {
        self.answerKey = answerKey
        self.outcome = outcome
        self.topWasRight = topWasRight
        self.aliasKey = aliasKey
    }
}

/// One turn of a conversation.
public struct ConversationTurn: Sendable, Equatable, Codable {
    /// Who spoke.
    public enum Role: String, Codable, Sendable {
        /// The customer asking.
        case customer
        /// The answer service (its answer, or the note that it escalated).
        case service
        /// An agent who handled the question (an outcome's reply or note).
        case agent
    }

    /// Who spoke.
    public var role: Role
    /// What was said.
    public var text: String
    /// The answer the turn belongs to, for the service's and agents' turns.
    public var answerKey: Int64?
    /// When it was said.
    public var createdAt: Date
}

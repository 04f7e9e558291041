import Foundation

// Public makers of the values the store protocols return, so that a store outside this module
// (``SupportStore`` conformers such as `PostgresStore` in `SupportPostgres`) can build them from
// its rows. Each takes every stored property, in declaration order, as the internal memberwise
// initialiser does (a public initialiser of the same shape would collide with that one).

extension AnswerRecord {
    /// An answer as a store reads it back (every field; see the properties for what each means).
    public static func stored(key: Int64, coreImpression: UInt64, generation: Int, conversationID: String, question: String, vector: [Float],
                articleKey: Int64?, shownGroups: [UInt64], topic: String?, decision: Decision, reason: String, score: Double,
                lower: Double, upper: Double, threshold: Double, createdAt: Date, outcome: OutcomeKind?, topWasRight: Bool?,
                aliasKey: Int64?, mode: TopicMode = .live, shadowDecision: Decision? = nil, context: [ContextHash] = []) -> Self {
        Self(key: key, coreImpression: coreImpression, generation: generation, conversationID: conversationID,
             question: question, vector: vector, articleKey: articleKey, shownGroups: shownGroups, topic: topic,
             decision: decision, reason: reason, score: score, lower: lower, upper: upper, threshold: threshold,
             createdAt: createdAt, outcome: outcome, topWasRight: topWasRight, aliasKey: aliasKey, mode: mode,
             shadowDecision: shadowDecision, context: context)
    }
}

extension AliasRecord {
    /// An alias as a store reads it back.
    public static func stored(key: Int64, articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], active: Bool, createdAt: Date,
                origin: LearnedOrigin = .resolved, evidence: LearningEvidence? = nil, context: [ContextHash] = []) -> Self {
        Self(key: key, articleKey: articleKey, answerKey: answerKey, question: question, vector: vector, active: active,
             createdAt: createdAt, origin: origin, evidence: evidence, context: context)
    }
}

extension OutcomeEventRecord {
    /// An outcome event as received (to record) or read back.
    public static func stored(answerKey: Int64, kind: OutcomeKind, csat: Int?, agentReply: String?, articleID: String?, eventID: String?,
                createdAt: Date) -> Self {
        Self(answerKey: answerKey, kind: kind, csat: csat, agentReply: agentReply, articleID: articleID, eventID: eventID,
             createdAt: createdAt)
    }
}

extension ConversationTurn {
    /// A turn to append, or one read back.
    public static func stored(role: Role, text: String, answerKey: Int64?, createdAt: Date) -> Self {
        Self(role: role, text: text, answerKey: answerKey, createdAt: createdAt)
    }

    /// A turn read back, its role by the name the store keeps.
    /// - Throws: ``SupportError/storeFailure(_:)`` for a role no ``Role`` has.
    public static func stored(roleNamed role: String, text: String, answerKey: Int64?, createdAt: Date,
                              conversationID: String) throws -> Self {
        guard let known = Role(rawValue: role) else {
            throw SupportError.storeFailure("a turn of conversation \(conversationID) has an unknown role \(role)")
        }
        return Self(role: known, text: text, answerKey: answerKey, createdAt: createdAt)
    }
}

extension ArticleVersion {
    /// An earlier version of an article as a store reads it back.
    public static func stored(version: Int, title: String, body: String, tags: [String], changedAt: Date) -> Self {
        Self(version: version, title: title, body: body, tags: tags, changedAt: changedAt)
    }
}

extension QueuedOperation {
    /// A queued core operation as a store reads it back.
    public static func stored(sequence: Int64, operation: CoreOperation, attempts: Int) -> Self {
        Self(sequence: sequence, operation: operation, attempts: attempts)
    }
}

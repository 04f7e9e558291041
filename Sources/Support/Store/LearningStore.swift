import Foundation

/// What the service learned, as the store keeps it: the outcome events received
/// and the alias vectors questions became. A part of ``SupportStore``.
public protocol LearningStore: Sendable {
    /// Whether an outcome with this sender's event id was recorded (a repeat is acknowledged and ignored).
    func hasEvent(id: String) throws -> Bool
    /// An answer's outcome events, in the order received.
    func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord]
    /// Active aliases of served articles (published ones and the service's internal groups) with a
    /// key above `key`, in key order: the aliases that vote, for paging through all of them. An
    /// archived or draft article's aliases stay active in the store but do not vote.
    func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord]
    /// Every active alias of one article, whatever the article's status (for archiving and publishing it).
    func activeAliases(articleKey: Int64) throws -> [AliasRecord]
    /// What the service taught itself, newest first: aliases (active or ended) and articles
    /// written from replies. `kind` nil lists both; `since` keeps those created at or after it.
    func learnedItems(kind: LearnedItem.Kind?, since: Date?, limit: Int) throws -> [LearnedItem]
    /// One learned item by kind and store key; nil when there is none (a knowledge-base article is none).
    func learnedItem(kind: LearnedItem.Kind, key: Int64) throws -> LearnedItem?
    /// The alias with this key, active or taken back.
    func alias(key: Int64) throws -> AliasRecord?
    /// Active aliases of one article, or of all articles when `articleKey` is nil.
    func aliasCount(articleKey: Int64?) throws -> Int
}

/// The learning writes of a ``SupportStoreWriter``.
public protocol LearningStoreWriter {
    /// Records an outcome event (a `csat` one also sets its answer's rating).
    /// - Throws: ``SupportError/duplicateEvent(_:)`` when an outcome with its `eventID` exists
    ///   (the unique key of the event id decides, inside the transaction, across instances).
    func insertOutcome(_ event: OutcomeEventRecord) throws
    /// Adds an active alias of an article and returns its key.
    /// - Parameters:
    ///   - articleKey: the article it is an alias of.
    ///   - answerKey: the answer whose question it is; nil for one seeded from a ticket import.
    ///   - question: the customer's words.
    ///   - vector: their embedding.
    ///   - at: when it was added.
    ///   - origin: what taught it.
    ///   - evidence: the proof (nil for none, as for aliases from before evidence was kept).
    ///   - context: the hashed context the question was asked with (``AnswerRecord/context``).
    func insertAlias(articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], origin: LearnedOrigin,
                     evidence: LearningEvidence?, context: [ContextHash], at: Date) throws -> Int64
    /// Takes an alias back; it stays in the store, inactive, with why and when, as evidence.
    func endAlias(key: Int64, reason: AliasEnd, at: Date) throws
    /// The active alias of `articleKey` with exactly these words, if there is one: a question
    /// asked and resolved again adds no second vector.
    func activeAlias(articleKey: Int64, question: String) throws -> Int64?
}

/// A question kept as an alias vector of an article.
public struct AliasRecord: Sendable, Equatable {
    /// The store's key; its vector in the core has an id in the alias range, above every article's.
    public var key: Int64
    /// The article it is an alias of.
    public var articleKey: Int64
    /// The answer whose outcome made it, if it came from one.
    public var answerKey: Int64?
    /// The customer's words.
    public var question: String
    /// Their embedding, upserted into the article's group.
    public var vector: [Float]
    /// False once taken back (a reopen, an undo, or moved to another article).
    public var active: Bool
    /// When it was added.
    public var createdAt: Date
    /// What taught it.
    public var origin: LearnedOrigin = .resolved
    /// The proof; nil for an alias from before evidence was kept.
    public var evidence: LearningEvidence? = nil
    /// The context its question was asked with, hashed (empty for imports and aliases from before it was kept).
    public var context: [ContextHash] = []
}

/// One outcome event as received.
public struct OutcomeEventRecord: Sendable, Equatable {
    /// The answer it is about.
    public var answerKey: Int64
    /// What happened.
    public var kind: OutcomeKind
    /// The rating of a `csat` event.
    public var csat: Int?
    /// The agent's reply of a `corrected` event.
    public var agentReply: String?
    /// The article the agent used, for a `corrected` event.
    public var articleID: String?
    /// The sender's id of the event, for dropping repeats.
    public var eventID: String?
    /// When it was received (the service's clock).
    public var createdAt: Date
}

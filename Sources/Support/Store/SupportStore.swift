import Foundation

/// The answer service's store of everything with words in it: articles and their
/// versions, conversations, answers given, outcomes, learned aliases, and the
/// outbox of changes the core has not acknowledged yet.
///
/// SQLite through GRDB (``SQLiteStore``) is the embedded default; a shared
/// store for several answer services (PostgreSQL) is another conforming type.
/// Reads are methods of the store; writes happen inside ``write(_:)``, whose
/// body commits whole or not at all — an outcome, the alias it adds and the
/// core operations it queues are one transaction.
public protocol SupportStore: Sendable {
    /// Runs `body` in one transaction.
    func write<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T

    // MARK: Articles
    func article(id: String) throws -> Article?
    func article(key: Int64) throws -> Article?
    func articles(keys: [Int64]) throws -> [Int64: Article]
    /// Articles ordered by key, published only unless `includeArchived`.
    func listArticles(limit: Int, offset: Int, includeArchived: Bool) throws -> [Article]
    func articleCount() throws -> Int
    func articleVersions(key: Int64) throws -> [ArticleVersion]

    // MARK: Conversations and answers
    func conversationExists(id: String) throws -> Bool
    /// A conversation's turns, oldest first (the last `limit`).
    func turns(conversationID: String, limit: Int) throws -> [ConversationTurn]
    func answer(key: Int64) throws -> AnswerRecord?
    /// The latest answer of a conversation.
    func latestAnswer(conversationID: String) throws -> AnswerRecord?
    func recentAnswers(limit: Int) throws -> [AnswerRecord]
    /// Answers whose best candidate's rightness is known, newest first: the escalation policy's evidence.
    func judgedAnswers(limit: Int) throws -> [(topic: String?, lower: Double, right: Bool)]

    // MARK: Outcomes and aliases
    func hasEvent(id: String) throws -> Bool
    func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord]
    /// Active aliases with a key above `key`, in key order (for `reindex`).
    func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord]
    func alias(key: Int64) throws -> AliasRecord?
    func aliasCount(articleKey: Int64?) throws -> Int

    // MARK: Core outbox
    func pendingOperations(limit: Int) throws -> [QueuedOperation]
    func pendingOperationCount() throws -> Int

    // MARK: Service state
    func value(forKey key: String) throws -> String?

    // MARK: Reports
    func dailyCounts(since: Date) throws -> [DailyCounts]
}

/// The writes of a ``SupportStore``, valid only inside ``SupportStore/write(_:)``.
public protocol SupportStoreWriter {
    /// Inserts or updates articles by id. An article whose title, body and tags
    /// are unchanged is left alone; a changed one gets a new version (the old one
    /// is kept in its history).
    /// - Returns: each input's stored article and whether it was created or changed.
    func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin, at: Date) throws -> [(article: Article, changed: Bool)]
    /// The article with this id, created with status `internal` when missing: the
    /// service's bookkeeping groups, which are never cited or listed.
    func internalArticle(id: String, title: String, at: Date) throws -> Article
    /// Archives an article; returns it, or nil when unknown.
    func archiveArticle(id: String, at: Date) throws -> Article?

    /// Creates the conversation if needed and appends turns.
    func appendTurns(conversationID: String, context: [String: String], turns: [ConversationTurn]) throws
    /// Records an answer and returns its key.
    func insertAnswer(_ answer: AnswerRecord) throws -> Int64
    func updateAnswer(_ update: AnswerUpdate) throws

    func insertOutcome(_ event: OutcomeEventRecord) throws
    func insertAlias(articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], at: Date) throws -> Int64
    func deactivateAlias(key: Int64) throws

    func enqueue(_ operations: [CoreOperation]) throws
    func completeOperation(sequence: Int64) throws
    func failOperation(sequence: Int64, error: String) throws

    func setValue(_ value: String, forKey key: String) throws
}

/// How an outcome changes the answer it is about.
public struct AnswerUpdate: Sendable, Equatable {
    public var answerKey: Int64
    public var outcome: OutcomeKind?
    public var topWasRight: Bool?
    /// `.some(nil)` clears the alias, `.some(k)` sets it, `nil` leaves it.
    public var aliasKey: Int64??

    public init(answerKey: Int64, outcome: OutcomeKind? = nil, topWasRight: Bool? = nil, aliasKey: Int64?? = nil) {
        self.answerKey = answerKey
        self.outcome = outcome
        self.topWasRight = topWasRight
        self.aliasKey = aliasKey
    }
}

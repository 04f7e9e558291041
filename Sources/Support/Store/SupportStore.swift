import Foundation

/// The answer service's store of everything with words in it: the knowledge
/// base, conversations and the answers given, outcomes and learned aliases,
/// the core outbox, knowledge gaps and the report queries.
///
/// It is composed of one protocol per part — ``KnowledgeStore``,
/// ``ConversationStore``, ``LearningStore``, ``OutboxStore``, ``GapStore``,
/// ``ReportStore`` and ``RolloutStore`` — so a store that leaves a part out does not compile as a
/// `SupportStore`, and every part the service relies on is there by
/// construction (nothing is found by casting at run time).
///
/// SQLite through GRDB (``SQLiteStore``, `Store/SQLite/`) is the embedded
/// default; a shared store for several answer services (PostgreSQL) is another
/// conforming type in a folder of its own. Nothing in these protocols names a
/// database library. Reads are methods of the parts; writes happen inside
/// ``write(_:)``, whose body commits whole or not at all — an outcome, the
/// alias it adds and the core operations it queues are one transaction.
public protocol SupportStore: KnowledgeStore, ConversationStore, LearningStore, OutboxStore, GapStore, ReportStore, RolloutStore {
    /// Runs `body` in one transaction: everything it writes commits together, or
    /// nothing does when it throws.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or the store's own failure to commit.
    func write<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T

    /// A value of the service's own state (the core collection's generation, the
    /// embedder's identity), or nil when it was never set.
    func value(forKey key: String) throws -> String?

    /// Records a question as asked, in one transaction of its own: the conversation (created,
    /// or its account context replaced by a non-empty `context`), the customer's turn, the
    /// answer with its vector, and the service's turn citing it (its ``ConversationTurn/answerKey``
    /// is the new answer's key, whatever it was).
    ///
    /// This is every ask's write, so it is the one a store makes cheap: it only adds rows and
    /// touches its own conversation, reads nothing it then writes, and so commutes with every
    /// other write — a store may commit it without waiting its turn among writers. The default
    /// is one ``write(_:)``; ``PostgresStore`` sends it as a single statement (one round trip
    /// instead of nine, and no write lock).
    /// - Returns: the answer's key.
    func recordAsked(_ answer: AnswerRecord, context: [String: String], customerTurn: ConversationTurn,
                     serviceTurn: ConversationTurn) throws -> Int64
}

extension SupportStore {
    /// ``recordAsked(_:context:customerTurn:serviceTurn:)`` as one ``write(_:)`` of the parts' writes.
    public func recordAsked(_ answer: AnswerRecord, context: [String: String], customerTurn: ConversationTurn,
                            serviceTurn: ConversationTurn) throws -> Int64 {
        try write { w -> Int64 in
            try w.appendTurns(conversationID: answer.conversationID, context: context, turns: [customerTurn])
            let key = try w.insertAnswer(answer)
            var turn = serviceTurn
            turn.answerKey = key
            try w.appendTurns(conversationID: answer.conversationID, context: [:], turns: [turn])
            return key
        }
    }
}

/// The writes of a ``SupportStore``, valid only inside ``SupportStore/write(_:)``:
/// the writes of each part, and the service's own state.
public protocol SupportStoreWriter: KnowledgeStoreWriter, ConversationStoreWriter, LearningStoreWriter, OutboxStoreWriter, RolloutStoreWriter {
    /// Sets a value of the service's own state (read back by ``SupportStore/value(forKey:)``).
    func setValue(_ value: String, forKey key: String) throws
    /// Adds one to an integer value of the service's state (a missing one counts as 0) and
    /// returns the new value; inside the transaction, so two instances never get the same number.
    func incrementValue(forKey key: String) throws -> Int
}

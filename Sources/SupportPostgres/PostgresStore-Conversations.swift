import Foundation
import Support

/// ``ConversationStore`` on PostgreSQL: `conversations`, `turns`, and `answers` with their
/// vectors in `answer_vectors`.
extension PostgresStore {
    /// Answers with their vectors (kept in a table of their own so scans of `answers` stay small).
    static let answerColumns = "SELECT a.*, v.vector FROM answers a LEFT JOIN answer_vectors v ON v.answer_key = a.key"

    /// Whether the conversation was ever opened.
    public func conversationExists(id: String) throws -> Bool {
        try read { session in
            try session.row("SELECT EXISTS(SELECT 1 FROM conversations WHERE id = $1) AS found", [id]).map { try $0["found"] } ?? false
        }
    }

    /// The answer with this key, with its vector.
    public func answer(key: Int64) throws -> AnswerRecord? {
        try read { session in try session.row("\(Self.answerColumns) WHERE a.key = $1", [key]).map(AnswerRecord.init(postgres:)) }
    }

    /// A conversation's newest answers, newest first, with their vectors.
    public func latestAnswers(conversationID: String, limit: Int) throws -> [AnswerRecord] {
        try read { session in
            try session.rows("\(Self.answerColumns) WHERE a.conversation_id = $1 ORDER BY a.key DESC LIMIT $2",
                             [conversationID, limitValue(limit)]).map(AnswerRecord.init(postgres:))
        }
    }

    /// The newest answers first, with their vectors.
    public func recentAnswers(limit: Int) throws -> [AnswerRecord] {
        try read { session in
            try session.rows("\(Self.answerColumns) ORDER BY a.key DESC LIMIT $1", [limitValue(limit)]).map(AnswerRecord.init(postgres:))
        }
    }

    /// Judged answers in the order they were judged, newest first: the policy's evidence.
    public func judgedAnswers(limit: Int) throws -> [(topic: String?, lower: Double, right: Bool)] {
        try read { session in
            try session.rows("""
                SELECT topic, lower, top_right FROM answers WHERE top_right IS NOT NULL AND article_key IS NOT NULL
                ORDER BY judged_seq DESC LIMIT $1
                """, [limitValue(limit)]).map { row in (try row["topic"], try row["lower"], try row.flag("top_right")) }
        }
    }

    /// A conversation's turns in the order they were appended.
    public func conversationTurns(id: String) throws -> [ConversationTurn] {
        try read { session in
            try session.rows("SELECT role, text, answer_key, created_at FROM turns WHERE conversation_id = $1 ORDER BY seq", [id])
                .map { row in
                    try ConversationTurn.stored(roleNamed: try row["role"], text: try row["text"], answerKey: try row["answer_key"],
                                                createdAt: try row.date("created_at"), conversationID: id)
                }
        }
    }

    /// Records a question as asked in one statement, committed on its own (no `BEGIN`, no
    /// write lock): every ask's write in one round trip instead of nine. It only inserts and
    /// upserts its conversation, so it needs no turn among writers (see ``PostgresTransaction``);
    /// the foreign keys are checked at the statement's end, when every row of it is there.
    public func recordAsked(_ answer: AnswerRecord, context: [String: String], customerTurn: ConversationTurn,
                            serviceTurn: ConversationTurn) throws -> Int64 {
        // $1 conversation, $2 its context, $3/$4 the turns' times, $5… the answer, then its
        // vector and the two turns' roles and texts.
        let answerValues = PostgresWriter.answerValues(answer)
        let next = 5 + answerValues.count
        let sql = """
            WITH conversation AS (
                INSERT INTO conversations (id, context, created_at, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,
                    context = CASE WHEN excluded.context = '{}' THEN conversations.context ELSE excluded.context END
            ), answer AS (
                \(PostgresWriter.answerInsert(firstPlaceholder: 5)) RETURNING key
            ), vector AS (
                INSERT INTO answer_vectors (answer_key, vector) SELECT key, $\(next) FROM answer
            ), turn AS (
                INSERT INTO turns (conversation_id, role, text, answer_key, created_at)
                SELECT $1, t.role, t.text, CASE WHEN t.cites THEN answer.key END, t.created_at
                FROM answer CROSS JOIN (VALUES (1, $\(next + 1)::text, $\(next + 2)::text, false, $3::double precision),
                                               (2, $\(next + 3)::text, $\(next + 4)::text, true, $4::double precision))
                    AS t(ord, role, text, cites, created_at)
                ORDER BY t.ord
            )
            SELECT key FROM answer
            """
        let values: [PostgresValue] = [answer.conversationID, encodeConversationContext(context, of: answer.conversationID),
                                       customerTurn.createdAt.timeIntervalSince1970, serviceTurn.createdAt.timeIntervalSince1970]
            + answerValues
            + [vectorData(answer.vector), customerTurn.role.rawValue, customerTurn.text, serviceTurn.role.rawValue, serviceTurn.text]
        return try pool.withSession { session in   // one statement outside BEGIN: a transaction of its own
            guard let row = try session.row(sql, values) else { throw SupportError.storeFailure("recording an asked question returned no key") }
            return try row["key"]
        }
    }
}

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
}

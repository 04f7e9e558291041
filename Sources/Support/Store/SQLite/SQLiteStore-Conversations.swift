import Foundation
import GRDB

/// ``ConversationStore`` on SQLite: `conversations`, `turns`, and `answers` with their
/// vectors in `answer_vectors`.
extension SQLiteStore {
    /// Whether the conversation was ever opened.
    public func conversationExists(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM conversations WHERE id = ?)", arguments: [id]) ?? false }
    }

    /// The answer with this key, with its vector.
    public func answer(key: Int64) throws -> AnswerRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "\(Self.answerColumns) WHERE a.key = ?", arguments: [key]).map(AnswerRecord.init(row:)) }
    }

    /// A conversation's newest answers, newest first, with their vectors.
    public func latestAnswers(conversationID: String, limit: Int) throws -> [AnswerRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.answerColumns) WHERE a.conversation_id = ? ORDER BY a.key DESC LIMIT ?",
                             arguments: [conversationID, limit]).map(AnswerRecord.init(row:))
        }
    }

    /// The newest answers first, with their vectors.
    public func recentAnswers(limit: Int) throws -> [AnswerRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.answerColumns) ORDER BY a.key DESC LIMIT ?", arguments: [limit]).map(AnswerRecord.init(row:))
        }
    }

    /// Judged answers in the order they were judged, newest first: the policy's evidence (those
    /// with a candidate, as ``SupportService`` observes them while it runs).
    public func judgedAnswers(limit: Int) throws -> [(topic: String?, lower: Double, right: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT topic, lower, top_right FROM answers WHERE top_right IS NOT NULL AND article_key IS NOT NULL ORDER BY judged_seq DESC LIMIT ?
                """, arguments: [limit]).map { row in (row["topic"], row["lower"], row["top_right"]) }
        }
    }

    /// A conversation's turns in the order they were appended.
    public func conversationTurns(id: String) throws -> [ConversationTurn] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT role, text, answer_key, created_at FROM turns WHERE conversation_id = ? ORDER BY seq",
                             arguments: [id]).map { row in
                try ConversationTurn.stored(roleNamed: row["role"], text: row["text"], answerKey: row["answer_key"],
                                            createdAt: Date(timeIntervalSince1970: row["created_at"]), conversationID: id)
            }
        }
    }
}

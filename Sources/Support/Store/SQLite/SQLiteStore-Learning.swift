import Foundation
import GRDB

/// ``LearningStore`` on SQLite: the `outcomes` and `aliases` tables.
extension SQLiteStore {
    /// Whether an outcome with this event id is recorded.
    public func hasEvent(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM outcomes WHERE event_id = ?)", arguments: [id]) ?? false }
    }

    /// An answer's outcome events in the order received.
    public func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outcomes WHERE answer_key = ? ORDER BY seq", arguments: [answerKey]).map { row in
                OutcomeEventRecord(answerKey: row["answer_key"], kind: OutcomeKind(rawValue: row["kind"]) ?? .escalated,
                                   csat: row["csat"], agentReply: row["agent_reply"], articleID: row["article_id"],
                                   eventID: row["event_id"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// One page of the active aliases, in key order.
    public func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM aliases WHERE active = 1 AND key > ? ORDER BY key LIMIT ?",
                             arguments: [key, limit]).map(AliasRecord.init(row:))
        }
    }

    /// The alias with this key, active or not.
    public func alias(key: Int64) throws -> AliasRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM aliases WHERE key = ?", arguments: [key]).map(AliasRecord.init(row:)) }
    }

    /// Active aliases of one article, or of all.
    public func aliasCount(articleKey: Int64?) throws -> Int {
        try pool.read { db in
            if let articleKey {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM aliases WHERE active = 1 AND article_key = ?", arguments: [articleKey]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM aliases WHERE active = 1") ?? 0
        }
    }
}

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

    /// One page of the active aliases of served articles, in key order.
    public func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT aliases.* FROM aliases JOIN articles ON articles.key = aliases.article_key
                WHERE aliases.active = 1 AND aliases.key > ? AND articles.status IN ('published', 'internal')
                ORDER BY aliases.key LIMIT ?
                """, arguments: [key, limit]).map(AliasRecord.init(row:))
        }
    }

    /// Every active alias of one article.
    public func activeAliases(articleKey: Int64) throws -> [AliasRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM aliases WHERE active = 1 AND article_key = ? ORDER BY key",
                             arguments: [articleKey]).map(AliasRecord.init(row:))
        }
    }

    /// Learned aliases and articles, newest first (each kind read with the limit, then merged).
    public func learnedItems(kind: LearnedItem.Kind?, since: Date?, limit: Int) throws -> [LearnedItem] {
        let after = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        return try pool.read { db in
            var items: [LearnedItem] = []
            if kind == nil || kind == .alias {
                items += try Self.learnedAliases(db, where: "aliases.created_at >= ?", [after], limit: limit)
            }
            if kind == nil || kind == .article {
                items += try Self.learnedArticles(db, where: "created_at >= ?", [after], limit: limit)
            }
            items.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            return Array(items.prefix(limit))
        }
    }

    /// One learned item.
    public func learnedItem(kind: LearnedItem.Kind, key: Int64) throws -> LearnedItem? {
        try pool.read { db in
            switch kind {
            case .alias: try Self.learnedAliases(db, where: "aliases.key = ?", [key], limit: 1).first
            case .article: try Self.learnedArticles(db, where: "key = ?", [key], limit: 1).first
            }
        }
    }

    /// Aliases as learned items, newest first. An active alias of an archived or draft article
    /// has that status (it does not vote); an ended one, why it ended.
    private static func learnedAliases(_ db: Database, where condition: String, _ arguments: StatementArguments,
                                       limit: Int) throws -> [LearnedItem] {
        try Row.fetchAll(db, sql: """
            SELECT aliases.key, aliases.question, aliases.origin, aliases.evidence, aliases.created_at, aliases.active,
                   aliases.ended_reason, articles.id AS article_id, articles.title, articles.status AS article_status
            FROM aliases JOIN articles ON articles.key = aliases.article_key
            WHERE \(condition) ORDER BY aliases.created_at DESC, aliases.key DESC LIMIT ?
            """, arguments: arguments + [limit]).map { row in
            let active: Bool = row["active"]
            let articleStatus: String = row["article_status"]
            let ended: String? = row["ended_reason"]
            let status = !active ? (ended ?? "ended")
                : (articleStatus == "published" || articleStatus == "internal" ? "active" : articleStatus)
            return LearnedItem(id: LearnedItem.id(alias: row["key"]), kind: .alias, question: row["question"],
                               article: ArticleReference(id: row["article_id"], title: row["title"]),
                               origin: LearnedOrigin(rawValue: row["origin"]) ?? .resolved,
                               evidence: LearningEvidence.fromStored(row["evidence"]),
                               createdAt: Date(timeIntervalSince1970: row["created_at"]), status: status)
        }
    }

    /// Articles written from replies as learned items, newest first; their status is the article's.
    private static func learnedArticles(_ db: Database, where condition: String, _ arguments: StatementArguments,
                                        limit: Int) throws -> [LearnedItem] {
        try Row.fetchAll(db, sql: """
            SELECT key, id, title, origin, status, evidence, created_at FROM articles
            WHERE origin != 'kb' AND status != 'internal' AND \(condition) ORDER BY created_at DESC, key DESC LIMIT ?
            """, arguments: arguments + [limit]).map { row in
            let origin: String = row["origin"]
            return LearnedItem(id: LearnedItem.id(article: row["key"]), kind: .article, question: nil,
                               article: ArticleReference(id: row["id"], title: row["title"]),
                               origin: origin == ArticleOrigin.ticketImport.rawValue ? .ticketImport : .agentReply,
                               evidence: LearningEvidence.fromStored(row["evidence"]),
                               createdAt: Date(timeIntervalSince1970: row["created_at"]), status: row["status"])
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

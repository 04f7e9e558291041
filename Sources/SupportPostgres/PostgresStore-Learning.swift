import Foundation
import Support

/// ``LearningStore`` on PostgreSQL: the `outcomes` and `aliases` tables.
extension PostgresStore {
    /// Whether an outcome with this event id is recorded.
    public func hasEvent(id: String) throws -> Bool {
        try read { session in
            try session.row("SELECT EXISTS(SELECT 1 FROM outcomes WHERE event_id = $1) AS found", [id]).map { try $0["found"] } ?? false
        }
    }

    /// An answer's outcome events in the order received.
    public func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord] {
        try read { session in
            try session.rows("SELECT * FROM outcomes WHERE answer_key = $1 ORDER BY seq", [answerKey]).map { row in
                let csat: Int64? = try row["csat"]
                return OutcomeEventRecord.stored(answerKey: try row["answer_key"], kind: OutcomeKind(rawValue: try row["kind"]) ?? .escalated,
                                          csat: csat.map(Int.init), agentReply: try row["agent_reply"], articleID: try row["article_id"],
                                          eventID: try row["event_id"], createdAt: try row.date("created_at"))
            }
        }
    }

    /// One page of the active aliases of served articles, in key order.
    public func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord] {
        try read { session in
            try session.rows("""
                SELECT aliases.* FROM aliases JOIN articles ON articles.key = aliases.article_key
                WHERE aliases.active = 1 AND aliases.key > $1 AND articles.status IN ('published', 'internal')
                ORDER BY aliases.key LIMIT $2
                """, [key, limitValue(limit)]).map(AliasRecord.init(postgres:))
        }
    }

    /// Every active alias of one article.
    public func activeAliases(articleKey: Int64) throws -> [AliasRecord] {
        try read { session in
            try session.rows("SELECT * FROM aliases WHERE active = 1 AND article_key = $1 ORDER BY key", [articleKey])
                .map(AliasRecord.init(postgres:))
        }
    }

    /// Learned aliases and articles, newest first (each kind read with the limit, then merged),
    /// from one snapshot.
    public func learnedItems(kind: LearnedItem.Kind?, since: Date?, limit: Int) throws -> [LearnedItem] {
        let after = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        return try snapshot { session in
            var items: [LearnedItem] = []
            if kind == nil || kind == .alias {
                items += try Self.learnedAliases(session, where: "aliases.created_at >= $1", after, limit: limit)
            }
            if kind == nil || kind == .article {
                items += try Self.learnedArticles(session, where: "created_at >= $1", after, limit: limit)
            }
            items.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            return Array(items.prefix(max(0, limit)))
        }
    }

    /// One learned item.
    public func learnedItem(kind: LearnedItem.Kind, key: Int64) throws -> LearnedItem? {
        try read { session in
            switch kind {
            case .alias: try Self.learnedAliases(session, where: "aliases.key = $1", key, limit: 1).first
            case .article: try Self.learnedArticles(session, where: "key = $1", key, limit: 1).first
            }
        }
    }

    /// Aliases as learned items, newest first. An active alias of an archived or draft article
    /// has that status (it does not vote); an ended one, why it ended.
    private static func learnedAliases(_ session: PostgresSession, where condition: String, _ argument: PostgresValue,
                                       limit: Int) throws -> [LearnedItem] {
        try session.rows("""
            SELECT aliases.key, aliases.question, aliases.origin, aliases.evidence, aliases.created_at, aliases.active,
                   aliases.ended_reason, articles.id AS article_id, articles.title, articles.status AS article_status
            FROM aliases JOIN articles ON articles.key = aliases.article_key
            WHERE \(condition) ORDER BY aliases.created_at DESC, aliases.key DESC LIMIT $2
            """, [argument, limitValue(limit)]).map { row in
            let active = try row.flag("active")
            let articleStatus: String = try row["article_status"]
            let ended: String? = try row["ended_reason"]
            let status = !active ? (ended ?? "ended")
                : (articleStatus == "published" || articleStatus == "internal" ? "active" : articleStatus)
            return LearnedItem(id: LearnedItem.id(alias: try row["key"]), kind: .alias, question: try row["question"],
                               article: ArticleReference(id: try row["article_id"], title: try row["title"]),
                               origin: LearnedOrigin(rawValue: try row["origin"]) ?? .resolved,
                               evidence: LearningEvidence.fromStored(try row["evidence"]),
                               createdAt: try row.date("created_at"), status: status)
        }
    }

    /// Articles written from replies as learned items, newest first; their status is the article's.
    private static func learnedArticles(_ session: PostgresSession, where condition: String, _ argument: PostgresValue,
                                        limit: Int) throws -> [LearnedItem] {
        try session.rows("""
            SELECT key, id, title, origin, status, evidence, created_at FROM articles
            WHERE origin != 'kb' AND status != 'internal' AND \(condition) ORDER BY created_at DESC, key DESC LIMIT $2
            """, [argument, limitValue(limit)]).map { row in
            let origin: String = try row["origin"]
            return LearnedItem(id: LearnedItem.id(article: try row["key"]), kind: .article, question: nil,
                               article: ArticleReference(id: try row["id"], title: try row["title"]),
                               origin: origin == ArticleOrigin.ticketImport.rawValue ? .ticketImport : .agentReply,
                               evidence: LearningEvidence.fromStored(try row["evidence"]),
                               createdAt: try row.date("created_at"), status: try row["status"])
        }
    }

    /// The alias with this key, active or not.
    public func alias(key: Int64) throws -> AliasRecord? {
        try read { session in try session.row("SELECT * FROM aliases WHERE key = $1", [key]).map(AliasRecord.init(postgres:)) }
    }

    /// Active aliases of one article, or of all.
    public func aliasCount(articleKey: Int64?) throws -> Int {
        try read { session in
            if let articleKey {
                return try session.row("SELECT count(*) AS n FROM aliases WHERE active = 1 AND article_key = $1", [articleKey])
                    .map { try $0["n"] } ?? 0
            }
            return try session.row("SELECT count(*) AS n FROM aliases WHERE active = 1").map { try $0["n"] } ?? 0
        }
    }
}

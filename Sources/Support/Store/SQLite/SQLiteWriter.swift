import Foundation
import GRDB

/// The writes of ``SQLiteStore`` on one open transaction.
struct SQLiteWriter: SupportStoreWriter {
    let db: Database

    /// Executes a statement compiled once per connection (GRDB's statement cache).
    func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin, status: ArticleStatus, evidence: LearningEvidence?,
                        at: Date) throws -> [(article: Article, changed: Bool)] {
        let now = at.timeIntervalSince1970
        return try inputs.map { input in
            let tags = encodeTags(input.tags)
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [input.id]) {
                let article = Article(row: row)
                if article.isUnchanged(by: input, status: status) { return (article, false) }
                try run("""
                    INSERT INTO article_versions (article_key, version, title, body, tags, changed_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, [article.key, article.version, article.title, article.body, encodeTags(article.tags),
                                     article.updatedAt.timeIntervalSince1970])
                let revised = article.revised(by: input, status: status, at: at)
                try run("""
                    UPDATE articles SET title = ?, body = ?, tags = ?, status = ?, version = ?, updated_at = ? WHERE key = ?
                    """, [input.title, input.body, tags, status.rawValue, revised.version, now, article.key])
                return (revised, true)
            }
            try run("""
                INSERT INTO articles (id, title, body, tags, status, version, origin, evidence, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                """, [input.id, input.title, input.body, tags, status.rawValue, origin.rawValue, evidence?.storedJSON ?? "{}", now, now])
            let article = Article(key: db.lastInsertedRowID, id: input.id, title: input.title, body: input.body, tags: input.tags,
                                  status: status, version: 1, origin: origin, createdAt: at, updatedAt: at)
            return (article, true)
        }
    }

    func internalArticle(id: String, title: String, at: Date) throws -> Article {
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [id]) { return Article(row: row) }
        try run("""
            INSERT INTO articles (id, title, body, tags, status, version, origin, created_at, updated_at)
            VALUES (?, ?, '', '[]', 'internal', 1, 'kb', ?, ?)
            """, [id, title, at.timeIntervalSince1970, at.timeIntervalSince1970])
        return Article(key: db.lastInsertedRowID, id: id, title: title, body: "", tags: [], status: .internal, version: 1,
                       origin: .knowledgeBase, createdAt: at, updatedAt: at)
    }

    func setArticleStatus(id: String, to status: ArticleStatus, at: Date) throws -> (article: Article, previous: ArticleStatus)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ? AND status != 'internal'", arguments: [id]) else {
            return nil
        }
        let article = Article(row: row)
        let previous = article.status
        guard previous != status else { return (article, previous) }
        try run("UPDATE articles SET status = ?, updated_at = ? WHERE key = ?", [status.rawValue, at.timeIntervalSince1970, article.key])
        return article.statusChanged(to: status, at: at, from: previous)
    }

    func appendTurns(conversationID: String, context: [String: String], turns: [ConversationTurn]) throws {
        let now = conversationUpdatedAt(turns)
        let contextJSON = encodeConversationContext(context, of: conversationID)
        try run("""
            INSERT INTO conversations (id, context, created_at, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at,
                context = CASE WHEN excluded.context = '{}' THEN conversations.context ELSE excluded.context END
            """, [conversationID, contextJSON, now, now])
        for turn in turns {
            try run("INSERT INTO turns (conversation_id, role, text, answer_key, created_at) VALUES (?, ?, ?, ?, ?)", [conversationID, turn.role.rawValue, turn.text, turn.answerKey, turn.createdAt.timeIntervalSince1970])
        }
    }

    func insertAnswer(_ a: AnswerRecord) throws -> Int64 {
        try run("""
            INSERT INTO answers (core_impression, generation, conversation_id, question, article_key, shown_groups, topic,
                                 decision, reason, score, lower, upper, threshold, created_at, mode, shadow_decision, context)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [Int64(bitPattern: a.coreImpression), a.generation, a.conversationID, a.question,
                             a.articleKey, groupsData(a.shownGroups), a.topic, a.decision.rawValue, a.reason, a.score, a.lower,
                             a.upper, a.threshold, a.createdAt.timeIntervalSince1970, a.mode.rawValue, a.shadowDecision?.rawValue,
                             ContextHash.encode(a.context)])
        let key = db.lastInsertedRowID
        try run("INSERT INTO answer_vectors (answer_key, vector) VALUES (?, ?)", [key, vectorData(a.vector)])
        return key
    }

    func updateAnswer(_ update: AnswerUpdate) throws {
        if let outcome = update.outcome {
            try run("UPDATE answers SET outcome = ? WHERE key = ?", [outcome.rawValue, update.answerKey])
        }
        if let right = update.topWasRight {
            let seq = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(judged_seq), 0) + 1 FROM answers WHERE judged_seq IS NOT NULL")) ?? 1
            try run("UPDATE answers SET top_right = ?, judged_seq = ? WHERE key = ?", [right, seq, update.answerKey])
        }
        if let alias = update.aliasKey {
            try run("UPDATE answers SET alias_key = ? WHERE key = ?", [alias, update.answerKey])
        }
    }

    func insertOutcome(_ e: OutcomeEventRecord) throws {
        do {
            try run("""
                INSERT INTO outcomes (answer_key, kind, csat, agent_reply, article_id, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [e.answerKey, e.kind.rawValue, e.csat, e.agentReply, e.articleID, e.eventID, e.createdAt.timeIntervalSince1970])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && e.eventID != nil
            && (error.message ?? "").contains("event_id") {
            throw SupportError.duplicateEvent(e.eventID ?? "")
        }
        if e.kind == .csat, let csat = e.csat {
            try run("UPDATE answers SET csat = ? WHERE key = ?", [csat, e.answerKey])
        }
    }

    func insertAlias(articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], origin: LearnedOrigin,
                     evidence: LearningEvidence?, context: [ContextHash], at: Date) throws -> Int64 {
        try run("""
            INSERT INTO aliases (article_key, answer_key, question, vector, active, origin, evidence, created_at, context)
            VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
            """, [articleKey, answerKey, question, vectorData(vector), origin.rawValue, evidence?.storedJSON ?? "{}",
                  at.timeIntervalSince1970, ContextHash.encode(context)])
        return db.lastInsertedRowID
    }

    func endAlias(key: Int64, reason: AliasEnd, at: Date) throws {
        try run("UPDATE aliases SET active = 0, ended_reason = ?, ended_at = ? WHERE key = ? AND active = 1",
                [reason.rawValue, at.timeIntervalSince1970, key])
    }

    func activeAlias(articleKey: Int64, question: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT key FROM aliases WHERE active = 1 AND article_key = ? AND question = ? LIMIT 1",
                           arguments: [articleKey, question])
    }

    func enqueue(_ operations: [CoreOperation]) throws {
        let encoder = JSONEncoder()
        for operation in operations {
            try run("INSERT INTO core_outbox (operation, attempts, created_at) VALUES (?, 0, ?)", [try encoder.encode(operation), Date().timeIntervalSince1970])
        }
    }

    func completeOperation(sequence: Int64) throws {
        try run("DELETE FROM core_outbox WHERE seq = ?", [sequence])
    }

    func failOperation(sequence: Int64, error: String) throws {
        try run("UPDATE core_outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?", [error, sequence])
    }

    func setValue(_ value: String, forKey key: String) throws {
        try run("INSERT INTO service_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
    }

    func incrementValue(forKey key: String) throws -> Int {
        try run("INSERT INTO service_state (key, value) VALUES (?, '1') "
            + "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)", [key])
        return try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM service_state WHERE key = ?", arguments: [key]) ?? 0
    }
}

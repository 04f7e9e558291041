import Foundation
import Support

/// The writes of ``PostgresStore`` on one open transaction: `SQLiteWriter`'s statements in
/// PostgreSQL's dialect (`RETURNING` for SQLite's last inserted row id).
struct PostgresWriter: SupportStoreWriter {
    let session: PostgresSession

    func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin, status: ArticleStatus, evidence: LearningEvidence?,
                        at: Date) throws -> [(article: Article, changed: Bool)] {
        let now = at.timeIntervalSince1970
        return try inputs.map { input in
            let tags = encodeTags(input.tags)
            if let row = try session.row("SELECT * FROM articles WHERE id = $1", [input.id]) {
                let article = try Article(postgres: row)
                if article.isUnchanged(by: input, status: status) { return (article, false) }
                try session.execute("""
                    INSERT INTO article_versions (article_key, version, title, body, tags, changed_at) VALUES ($1, $2, $3, $4, $5, $6)
                    """, [article.key, article.version, article.title, article.body, encodeTags(article.tags),
                          article.updatedAt.timeIntervalSince1970])
                let revised = article.revised(by: input, status: status, at: at)
                try session.execute("""
                    UPDATE articles SET title = $1, body = $2, tags = $3, status = $4, version = $5, updated_at = $6 WHERE key = $7
                    """, [input.title, input.body, tags, status.rawValue, revised.version, now, article.key])
                return (revised, true)
            }
            let key = try insertedKey("""
                INSERT INTO articles (id, title, body, tags, status, version, origin, evidence, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9) RETURNING key
                """, [input.id, input.title, input.body, tags, status.rawValue, origin.rawValue, evidence?.storedJSON ?? "{}", now, now])
            let article = Article(key: key, id: input.id, title: input.title, body: input.body, tags: input.tags,
                                  status: status, version: 1, origin: origin, createdAt: at, updatedAt: at)
            return (article, true)
        }
    }

    func internalArticle(id: String, title: String, at: Date) throws -> Article {
        if let row = try session.row("SELECT * FROM articles WHERE id = $1", [id]) { return try Article(postgres: row) }
        let key = try insertedKey("""
            INSERT INTO articles (id, title, body, tags, status, version, origin, created_at, updated_at)
            VALUES ($1, $2, '', '[]', 'internal', 1, 'kb', $3, $4) RETURNING key
            """, [id, title, at.timeIntervalSince1970, at.timeIntervalSince1970])
        return Article(key: key, id: id, title: title, body: "", tags: [], status: .internal, version: 1,
                       origin: .knowledgeBase, createdAt: at, updatedAt: at)
    }

    func setArticleStatus(id: String, to status: ArticleStatus, at: Date) throws -> (article: Article, previous: ArticleStatus)? {
        guard let row = try session.row("SELECT * FROM articles WHERE id = $1 AND status != 'internal'", [id]) else { return nil }
        let article = try Article(postgres: row)
        let previous = article.status
        guard previous != status else { return (article, previous) }
        try session.execute("UPDATE articles SET status = $1, updated_at = $2 WHERE key = $3",
                            [status.rawValue, at.timeIntervalSince1970, article.key])
        return article.statusChanged(to: status, at: at, from: previous)
    }

    func appendTurns(conversationID: String, context: [String: String], turns: [ConversationTurn]) throws {
        let now = conversationUpdatedAt(turns)
        let contextJSON = encodeConversationContext(context, of: conversationID)
        try session.execute("""
            INSERT INTO conversations (id, context, created_at, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,
                context = CASE WHEN excluded.context = '{}' THEN conversations.context ELSE excluded.context END
            """, [conversationID, contextJSON, now, now])
        for turn in turns {
            try session.execute("INSERT INTO turns (conversation_id, role, text, answer_key, created_at) VALUES ($1, $2, $3, $4, $5)",
                                [conversationID, turn.role.rawValue, turn.text, turn.answerKey, turn.createdAt.timeIntervalSince1970])
        }
    }

    func insertAnswer(_ a: AnswerRecord) throws -> Int64 {
        let key = try insertedKey("\(Self.answerInsert(firstPlaceholder: 1)) RETURNING key", Self.answerValues(a))
        try session.execute("INSERT INTO answer_vectors (answer_key, vector) VALUES ($1, $2)", [key, vectorData(a.vector)])
        return key
    }

    /// The columns of an answer's row, in the order of ``answerValues(_:)``.
    static let answerColumns = """
        core_impression, generation, conversation_id, question, article_key, shown_groups, topic,
        decision, reason, score, lower, upper, threshold, created_at, mode, shadow_decision, context
        """

    /// `INSERT INTO answers (…) VALUES (…)` with its placeholders numbered from `firstPlaceholder`.
    static func answerInsert(firstPlaceholder: Int) -> String {
        let count = answerColumns.split(separator: ",").count
        let placeholders = (firstPlaceholder..<firstPlaceholder + count).map { "$\($0)" }.joined(separator: ", ")
        return "INSERT INTO answers (\(answerColumns)) VALUES (\(placeholders))"
    }

    /// An answer's row (without its vector), bound in the order of ``answerColumns``.
    static func answerValues(_ a: AnswerRecord) -> [PostgresValue] {
        [Int64(bitPattern: a.coreImpression), a.generation, a.conversationID, a.question,
         a.articleKey, groupsData(a.shownGroups), a.topic, a.decision.rawValue, a.reason, a.score, a.lower,
         a.upper, a.threshold, a.createdAt.timeIntervalSince1970, a.mode.rawValue, a.shadowDecision?.rawValue,
         ContextHash.encode(a.context)]
    }

    func updateAnswer(_ update: AnswerUpdate) throws {
        if let outcome = update.outcome {
            try session.execute("UPDATE answers SET outcome = $1 WHERE key = $2", [outcome.rawValue, update.answerKey])
        }
        if let right = update.topWasRight {
            let seq: Int64 = try session.row("SELECT coalesce(max(judged_seq), 0) + 1 AS seq FROM answers WHERE judged_seq IS NOT NULL")
                .map { try $0["seq"] } ?? 1
            try session.execute("UPDATE answers SET top_right = $1, judged_seq = $2 WHERE key = $3",
                                [Int64(right ? 1 : 0), seq, update.answerKey])
        }
        if let alias = update.aliasKey {
            try session.execute("UPDATE answers SET alias_key = $1 WHERE key = $2", [alias, update.answerKey])
        }
    }

    func insertOutcome(_ e: OutcomeEventRecord) throws {
        // The event id's unique key decides between two instances that both checked first: the
        // second inserts nothing, and its whole transaction rolls back as a duplicate.
        let inserted = try session.execute("""
            INSERT INTO outcomes (answer_key, kind, csat, agent_reply, article_id, event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (event_id) DO NOTHING
            """, [e.answerKey, e.kind.rawValue, e.csat, e.agentReply, e.articleID, e.eventID, e.createdAt.timeIntervalSince1970])
        if inserted == 0, let eventID = e.eventID { throw SupportError.duplicateEvent(eventID) }
        if e.kind == .csat, let csat = e.csat {
            try session.execute("UPDATE answers SET csat = $1 WHERE key = $2", [csat, e.answerKey])
        }
    }

    func insertAlias(articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], origin: LearnedOrigin,
                     evidence: LearningEvidence?, context: [ContextHash], at: Date) throws -> Int64 {
        try insertedKey("""
            INSERT INTO aliases (article_key, answer_key, question, vector, active, origin, evidence, created_at, context)
            VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8) RETURNING key
            """, [articleKey, answerKey, question, vectorData(vector), origin.rawValue, evidence?.storedJSON ?? "{}",
                  at.timeIntervalSince1970, ContextHash.encode(context)])
    }

    func endAlias(key: Int64, reason: AliasEnd, at: Date) throws {
        try session.execute("UPDATE aliases SET active = 0, ended_reason = $1, ended_at = $2 WHERE key = $3 AND active = 1",
                            [reason.rawValue, at.timeIntervalSince1970, key])
    }

    func activeAlias(articleKey: Int64, question: String) throws -> Int64? {
        try session.row("SELECT key FROM aliases WHERE active = 1 AND article_key = $1 AND question = $2 ORDER BY key LIMIT 1",
                        [articleKey, question]).map { try $0["key"] }
    }

    func enqueue(_ operations: [CoreOperation]) throws {
        let encoder = JSONEncoder()
        for operation in operations {
            try session.execute("INSERT INTO core_outbox (operation, attempts, created_at) VALUES ($1, 0, $2)",
                                [try encoder.encode(operation), Date().timeIntervalSince1970])
        }
    }

    func completeOperation(sequence: Int64) throws {
        try session.execute("DELETE FROM core_outbox WHERE seq = $1", [sequence])
    }

    func failOperation(sequence: Int64, error: String) throws {
        try session.execute("UPDATE core_outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2", [error, sequence])
    }

    func setValue(_ value: String, forKey key: String) throws {
        try session.execute("INSERT INTO service_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            [key, value])
    }

    func incrementValue(forKey key: String) throws -> Int {
        let row = try session.row("""
            INSERT INTO service_state (key, value) VALUES ($1, '1')
            ON CONFLICT (key) DO UPDATE SET value = (service_state.value::bigint + 1)::text RETURNING value
            """, [key])
        let value: String = try row?["value"] ?? "0"
        return Int(value) ?? 0
    }

    func setTopicMode(topic: String, mode: TopicMode, at date: Date) throws {
        try session.execute("""
            INSERT INTO topic_modes (topic, mode, changed_at) VALUES ($1, $2, $3)
            ON CONFLICT (topic) DO UPDATE SET mode = excluded.mode, changed_at = excluded.changed_at
            """, [topic, mode.rawValue, date.timeIntervalSince1970])
        try session.execute("INSERT INTO topic_mode_changes (topic, mode, changed_at) VALUES ($1, $2, $3)",
                            [topic, mode.rawValue, date.timeIntervalSince1970])
    }

    /// Replaces the baseline: its head row (SQLite's `INSERT OR REPLACE` as an upsert of row 1)
    /// and every topic's counts, in the caller's transaction.
    func replaceRolloutBaseline(_ baseline: RolloutBaseline) throws {
        try session.execute("DELETE FROM rollout_baseline_topics")
        try session.execute("""
            INSERT INTO rollout_baseline (id, source, imported_at, first_ticket_at, last_ticket_at) VALUES (1, $1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET source = excluded.source, imported_at = excluded.imported_at,
                first_ticket_at = excluded.first_ticket_at, last_ticket_at = excluded.last_ticket_at
            """, [baseline.source, baseline.importedAt.timeIntervalSince1970, baseline.firstTicketAt?.timeIntervalSince1970,
                  baseline.lastTicketAt?.timeIntervalSince1970])
        for topic in baseline.topics {
            try session.execute("""
                INSERT INTO rollout_baseline_topics (topic, tickets, solved, resolved, reopened, csat_count, csat_satisfied,
                    median_first_reply_seconds, median_resolution_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, [topic.topic, topic.tickets, topic.solved, topic.resolved, topic.reopened, topic.csatCount, topic.csatSatisfied,
                      topic.medianFirstReplySeconds, topic.medianResolutionSeconds])
        }
    }

    /// The key an `INSERT … RETURNING key` (or `id`) produced.
    private func insertedKey(_ sql: String, _ values: [PostgresValue]) throws -> Int64 {
        guard let row = try session.row(sql, values) else { throw SupportError.storeFailure("an insert returned no key: \(PostgresSession.abbreviated(sql))") }
        return try row[row.row[0].columnName]
    }
}

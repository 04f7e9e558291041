import Foundation
import GRDB

/// The embedded ``SupportStore``: one SQLite file through GRDB, in WAL mode,
/// migrated on open (``SQLiteSchema``).
///
/// Reads run concurrently with the one writer (a `DatabasePool`); commits are
/// durable against a process crash (`synchronous = NORMAL` in WAL mode: a power
/// loss can lose the last transactions, never corrupt the file).
public final class SQLiteStore: SupportStore {
    let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    /// - Throws: ``SupportError/storeFailure(_:)`` naming the file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA cache_size = -32768")   // 32 MiB of pages per connection
        }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
        } catch {
            throw SupportError.storeFailure("cannot open \(path): \(error)")
        }
    }

    /// Answers with their vectors (kept in a table of their own so scans of `answers` stay small).
    static let answerColumns = "SELECT a.*, v.vector FROM answers a LEFT JOIN answer_vectors v ON v.answer_key = a.key"

    public func write<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T {
        try pool.write { db in try body(SQLiteWriter(db: db)) }
    }

    // MARK: Articles

    public func article(id: String) throws -> Article? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [id]).map(Article.init(row:)) }
    }

    public func article(key: Int64) throws -> Article? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE key = ?", arguments: [key]).map(Article.init(row:)) }
    }

    public func articles(keys: [Int64]) throws -> [Int64: Article] {
        guard !keys.isEmpty else { return [:] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM articles WHERE key IN (\(marks))",
                                        arguments: StatementArguments(keys))
            return Dictionary(uniqueKeysWithValues: rows.map { row in let a = Article(row: row); return (a.key, a) })
        }
    }

    public func listArticles(limit: Int, offset: Int, includeArchived: Bool) throws -> [Article] {
        try pool.read { db in
            let filter = includeArchived ? "WHERE status != 'internal'" : "WHERE status = 'published'"
            return try Row.fetchAll(db, sql: "SELECT * FROM articles \(filter) ORDER BY key LIMIT ? OFFSET ?",
                                    arguments: [limit, offset]).map(Article.init(row:))
        }
    }

    public func articleCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM articles WHERE status = 'published'") ?? 0 }
    }

    public func articleVersions(key: Int64) throws -> [ArticleVersion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM article_versions WHERE article_key = ? ORDER BY version",
                             arguments: [key]).map { row in
                ArticleVersion(version: row["version"], title: row["title"], body: row["body"],
                               tags: decodeTags(row["tags"]), changedAt: Date(timeIntervalSince1970: row["changed_at"]))
            }
        }
    }

    // MARK: Conversations and answers

    public func conversationExists(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM conversations WHERE id = ?)", arguments: [id]) ?? false }
    }

    public func turns(conversationID: String, limit: Int) throws -> [ConversationTurn] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT * FROM turns WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq
                """, arguments: [conversationID, limit]).map { row in
                ConversationTurn(role: ConversationTurn.Role(rawValue: row["role"]) ?? .customer, text: row["text"],
                                 answerKey: row["answer_key"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func answer(key: Int64) throws -> AnswerRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "\(Self.answerColumns) WHERE a.key = ?", arguments: [key]).map(AnswerRecord.init(row:)) }
    }

    public func latestAnswer(conversationID: String) throws -> AnswerRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "\(Self.answerColumns) WHERE a.conversation_id = ? ORDER BY a.key DESC LIMIT 1",
                             arguments: [conversationID]).map(AnswerRecord.init(row:))
        }
    }

    public func recentAnswers(limit: Int) throws -> [AnswerRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.answerColumns) ORDER BY a.key DESC LIMIT ?", arguments: [limit]).map(AnswerRecord.init(row:))
        }
    }

    public func judgedAnswers(limit: Int) throws -> [(topic: String?, lower: Double, right: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT topic, lower, top_right FROM answers WHERE top_right IS NOT NULL ORDER BY judged_seq DESC LIMIT ?
                """, arguments: [limit]).map { row in (row["topic"], row["lower"], row["top_right"]) }
        }
    }

    // MARK: Outcomes and aliases

    public func hasEvent(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM outcomes WHERE event_id = ?)", arguments: [id]) ?? false }
    }

    public func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outcomes WHERE answer_key = ? ORDER BY seq", arguments: [answerKey]).map { row in
                OutcomeEventRecord(answerKey: row["answer_key"], kind: OutcomeKind(rawValue: row["kind"]) ?? .escalated,
                                   csat: row["csat"], agentReply: row["agent_reply"], articleID: row["article_id"],
                                   eventID: row["event_id"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM aliases WHERE active = 1 AND key > ? ORDER BY key LIMIT ?",
                             arguments: [key, limit]).map(AliasRecord.init(row:))
        }
    }

    public func alias(key: Int64) throws -> AliasRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM aliases WHERE key = ?", arguments: [key]).map(AliasRecord.init(row:)) }
    }

    public func aliasCount(articleKey: Int64?) throws -> Int {
        try pool.read { db in
            if let articleKey {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM aliases WHERE active = 1 AND article_key = ?", arguments: [articleKey]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM aliases WHERE active = 1") ?? 0
        }
    }

    // MARK: Core outbox

    public func pendingOperations(limit: Int) throws -> [QueuedOperation] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM core_outbox ORDER BY seq LIMIT ?", arguments: [limit]).map { row in
                let data: Data = row["operation"]
                let operation = try JSONDecoder().decode(CoreOperation.self, from: data)
                return QueuedOperation(sequence: row["seq"], operation: operation, attempts: row["attempts"])
            }
        }
    }

    public func pendingOperationCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM core_outbox") ?? 0 }
    }

    // MARK: Service state and reports

    public func value(forKey key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM service_state WHERE key = ?", arguments: [key]) }
    }

    public func dailyCounts(since: Date) throws -> [DailyCounts] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT date(created_at, 'unixepoch') AS day,
                       count(*) AS asked,
                       sum(decision = 'answer') AS answered,
                       sum(decision = 'escalate') AS escalated,
                       sum(outcome = 'resolved') AS resolved,
                       sum(outcome = 'reopened') AS reopened,
                       sum(outcome = 'corrected') AS corrected,
                       sum(decision = 'answer' AND top_right = 0) AS wrong,
                       coalesce(sum(csat), 0) AS csat_sum,
                       count(csat) AS csat_count
                FROM answers WHERE created_at >= ? GROUP BY day ORDER BY day
                """, arguments: [since.timeIntervalSince1970]).map { row in
                DailyCounts(day: row["day"], asked: row["asked"], answered: row["answered"], escalated: row["escalated"],
                            resolved: row["resolved"], reopened: row["reopened"], corrected: row["corrected"],
                            wrong: row["wrong"], csatSum: row["csat_sum"], csatCount: row["csat_count"])
            }
        }
    }
}

/// The writes of ``SQLiteStore`` on one open transaction.
struct SQLiteWriter: SupportStoreWriter {
    let db: Database

    /// Executes a statement compiled once per connection (GRDB's statement cache).
    func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin, at: Date) throws -> [(article: Article, changed: Bool)] {
        let now = at.timeIntervalSince1970
        return try inputs.map { input in
            let tags = encodeTags(input.tags)
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [input.id]) {
                var article = Article(row: row)
                if article.title == input.title, article.body == input.body, article.tags == input.tags, article.status == .published {
                    return (article, false)
                }
                try run("""
                    INSERT INTO article_versions (article_key, version, title, body, tags, changed_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, [article.key, article.version, article.title, article.body, encodeTags(article.tags),
                                     article.updatedAt.timeIntervalSince1970])
                article.version += 1
                try run("""
                    UPDATE articles SET title = ?, body = ?, tags = ?, status = 'published', version = ?, updated_at = ? WHERE key = ?
                    """, [input.title, input.body, tags, article.version, now, article.key])
                article.title = input.title
                article.body = input.body
                article.tags = input.tags
                article.status = .published
                article.updatedAt = at
                return (article, true)
            }
            try run("""
                INSERT INTO articles (id, title, body, tags, status, version, origin, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'published', 1, ?, ?, ?)
                """, [input.id, input.title, input.body, tags, origin.rawValue, now, now])
            let article = Article(key: db.lastInsertedRowID, id: input.id, title: input.title, body: input.body, tags: input.tags,
                                  status: .published, version: 1, origin: origin, createdAt: at, updatedAt: at)
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

    func archiveArticle(id: String, at: Date) throws -> Article? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [id]) else { return nil }
        var article = Article(row: row)
        try run("UPDATE articles SET status = 'archived', updated_at = ? WHERE key = ?", [at.timeIntervalSince1970, article.key])
        article.status = .archived
        article.updatedAt = at
        return article
    }

    func appendTurns(conversationID: String, context: [String: String], turns: [ConversationTurn]) throws {
        let now = (turns.last?.createdAt ?? Date()).timeIntervalSince1970
        let contextJSON = String(decoding: (try? JSONEncoder().encode(context)) ?? Data("{}".utf8), as: UTF8.self)
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
                                 decision, reason, score, lower, upper, threshold, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [Int64(bitPattern: a.coreImpression), a.generation, a.conversationID, a.question,
                             a.articleKey, groupsData(a.shownGroups), a.topic, a.decision.rawValue, a.reason, a.score, a.lower,
                             a.upper, a.threshold, a.createdAt.timeIntervalSince1970])
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
        try run("""
            INSERT INTO outcomes (answer_key, kind, csat, agent_reply, article_id, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [e.answerKey, e.kind.rawValue, e.csat, e.agentReply, e.articleID, e.eventID, e.createdAt.timeIntervalSince1970])
        if e.kind == .csat, let csat = e.csat {
            try run("UPDATE answers SET csat = ? WHERE key = ?", [csat, e.answerKey])
        }
    }

    func insertAlias(articleKey: Int64, answerKey: Int64?, question: String, vector: [Float], at: Date) throws -> Int64 {
        try run("""
            INSERT INTO aliases (article_key, answer_key, question, vector, active, created_at) VALUES (?, ?, ?, ?, 1, ?)
            """, [articleKey, answerKey, question, vectorData(vector), at.timeIntervalSince1970])
        return db.lastInsertedRowID
    }

    func deactivateAlias(key: Int64) throws {
        try run("UPDATE aliases SET active = 0 WHERE key = ?", [key])
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
}

// MARK: Row mapping

extension Article {
    init(row: Row) {
        self.init(key: row["key"], id: row["id"], title: row["title"], body: row["body"], tags: decodeTags(row["tags"]),
                  status: ArticleStatus(rawValue: row["status"]) ?? .published, version: row["version"],
                  origin: ArticleOrigin(rawValue: row["origin"]) ?? .knowledgeBase,
                  createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}

extension AnswerRecord {
    init(row: Row) {
        let impression: Int64 = row["core_impression"]
        let outcome: String? = row["outcome"]
        self.init(key: row["key"], coreImpression: UInt64(bitPattern: impression), generation: row["generation"],
                  conversationID: row["conversation_id"], question: row["question"], vector: floats(row["vector"]),
                  articleKey: row["article_key"], shownGroups: groups(row["shown_groups"]), topic: row["topic"],
                  decision: Decision(rawValue: row["decision"]) ?? .escalate, reason: row["reason"], score: row["score"],
                  lower: row["lower"], upper: row["upper"], threshold: row["threshold"],
                  createdAt: Date(timeIntervalSince1970: row["created_at"]), outcome: outcome.flatMap(OutcomeKind.init(rawValue:)),
                  topWasRight: row["top_right"], aliasKey: row["alias_key"])
    }
}

extension AliasRecord {
    init(row: Row) {
        self.init(key: row["key"], articleKey: row["article_key"], answerKey: row["answer_key"], question: row["question"],
                  vector: floats(row["vector"]), active: row["active"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}

func encodeTags(_ tags: [String]) -> String {
    String(decoding: (try? JSONEncoder().encode(tags)) ?? Data("[]".utf8), as: UTF8.self)
}

func decodeTags(_ text: String?) -> [String] {
    guard let text, let data = text.data(using: .utf8) else { return [] }
    return (try? JSONDecoder().decode([String].self, from: data)) ?? []
}

func vectorData(_ vector: [Float]) -> Data {
    vector.withUnsafeBufferPointer { Data(buffer: $0) }
}

func floats(_ data: Data?) -> [Float] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
}

func groupsData(_ groups: [UInt64]) -> Data {
    groups.withUnsafeBufferPointer { Data(buffer: $0) }
}

func groups(_ data: Data?) -> [UInt64] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: UInt64.self)) }
}

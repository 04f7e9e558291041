import Foundation
import GRDB

/// ``GapStore`` on the service's SQLite file (tables of migration v2 in `SQLiteSchema`).
extension SQLiteStore {
    /// Runs `body` in one write transaction of the pool.
    public func gapWrite<T>(_ body: (any GapStoreWriter) throws -> T) throws -> T {
        try transaction { db in try body(SQLiteGapWriter(db: db)) }
    }

    /// The cluster row with this id.
    public func gap(id: Int64) throws -> GapRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM gaps WHERE id = ?", arguments: [id]).map(GapRecord.init(row:)) }
    }

    /// Clusters of a kind (and status), largest first, then the most recently seen.
    public func gaps(kind: GapKind, status: GapStatus?, limit: Int) throws -> [GapRecord] {
        try pool.read { db in
            let statusFilter = status == nil ? "" : "AND status = ?"
            var arguments: StatementArguments = [kind.rawValue]
            if let status { arguments += [status.rawValue] }
            arguments += [limit]
            return try Row.fetchAll(db, sql: """
                SELECT * FROM gaps WHERE kind = ? \(statusFilter) ORDER BY count DESC, last_seen DESC, id LIMIT ?
                """, arguments: arguments).map(GapRecord.init(row:))
        }
    }

    /// A cluster's questions, newest first.
    public func gapQuestions(gapID: Int64, limit: Int) throws -> [GapQuestionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM gap_questions WHERE gap_id = ? ORDER BY at DESC, seq DESC LIMIT ?",
                             arguments: [gapID, limit]).map(GapQuestionRecord.init(row:))
        }
    }

    /// When a cluster's questions since `since` arrived, oldest first.
    public func gapQuestionTimes(gapID: Int64, since: Date) throws -> [Date] {
        try pool.read { db in
            try Double.fetchAll(db, sql: "SELECT at FROM gap_questions WHERE gap_id = ? AND at >= ? ORDER BY at",
                                arguments: [gapID, since.timeIntervalSince1970]).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Undelivered events of the given kinds that are due, oldest first.
    public func dueWebhooks(kinds: [String], now: Date, maxAttempts: Int, limit: Int) throws -> [WebhookDelivery] {
        guard !kinds.isEmpty else { return [] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: kinds.count).joined(separator: ",")
            return try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_deliveries
                WHERE delivered_at IS NULL AND kind IN (\(marks)) AND attempts < ? AND next_attempt_at <= ?
                ORDER BY created_at, event_id LIMIT ?
                """, arguments: StatementArguments(kinds) + [maxAttempts, now.timeIntervalSince1970, limit])
                .map(WebhookDelivery.init(row:))
        }
    }

    /// The whole webhook outbox, newest first.
    public func webhookDeliveries(limit: Int) throws -> [WebhookDelivery] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_deliveries ORDER BY created_at DESC, event_id LIMIT ?",
                             arguments: [limit]).map(WebhookDelivery.init(row:))
        }
    }

    public func webhookDelivery(eventID: String) throws -> WebhookDelivery? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE event_id = ?", arguments: [eventID])
                .map(WebhookDelivery.init(row:))
        }
    }

    public func webhookBacklog(kinds: [String], maxAttempts: Int) throws -> WebhookBacklog {
        guard !kinds.isEmpty else { return WebhookBacklog() }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: kinds.count).joined(separator: ",")
            let counts = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(attempts < ?), 0) AS pending, COALESCE(SUM(attempts >= ?), 0) AS failed
                FROM webhook_deliveries WHERE delivered_at IS NULL AND kind IN (\(marks))
                """, arguments: [maxAttempts, maxAttempts] + StatementArguments(kinds))
            let lastError = try String.fetchOne(db, sql: """
                SELECT last_error FROM webhook_deliveries WHERE delivered_at IS NULL AND kind IN (\(marks))
                ORDER BY created_at DESC, event_id LIMIT 1
                """, arguments: StatementArguments(kinds))
            return WebhookBacklog(pending: counts?["pending"] ?? 0, failed: counts?["failed"] ?? 0, lastError: lastError)
        }
    }
}

/// The gap writes of ``SQLiteStore`` on one open transaction.
struct SQLiteGapWriter: GapStoreWriter {
    let db: Database

    func insertGap(_ g: GapRecord) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO gaps (kind, status, count, first_seen, last_seen, centroid, confidence_sum, notified_at, closed_at,
                              closed_reason, merged_into)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [g.kind.rawValue, g.status.rawValue, g.count, g.firstSeen.timeIntervalSince1970,
                             g.lastSeen.timeIntervalSince1970, vectorData(g.centroid), g.confidenceSum,
                             g.notifiedAt?.timeIntervalSince1970, g.closedAt?.timeIntervalSince1970, g.closedReason, g.mergedInto])
        return db.lastInsertedRowID
    }

    func updateGap(_ g: GapRecord) throws {
        try db.execute(sql: """
            UPDATE gaps SET kind = ?, status = ?, count = ?, first_seen = ?, last_seen = ?, centroid = ?, confidence_sum = ?,
                            notified_at = ?, closed_at = ?, closed_reason = ?, merged_into = ?
            WHERE id = ?
            """, arguments: [g.kind.rawValue, g.status.rawValue, g.count, g.firstSeen.timeIntervalSince1970,
                             g.lastSeen.timeIntervalSince1970, vectorData(g.centroid), g.confidenceSum,
                             g.notifiedAt?.timeIntervalSince1970, g.closedAt?.timeIntervalSince1970, g.closedReason,
                             g.mergedInto, g.id])
    }

    func insertGapQuestion(_ q: GapQuestionRecord) throws {
        try db.execute(sql: """
            INSERT INTO gap_questions (gap_id, answer_key, question, vector, confidence, at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [q.gapID, q.answerKey, q.question, vectorData(q.vector), q.confidence, q.at.timeIntervalSince1970])
    }

    func moveGapQuestions(from: Int64, into: Int64) throws {
        try db.execute(sql: "UPDATE gap_questions SET gap_id = ? WHERE gap_id = ?", arguments: [into, from])
    }

    func enqueueWebhook(_ d: WebhookDelivery) throws -> Bool {
        try db.execute(sql: """
            INSERT INTO webhook_deliveries (event_id, kind, gap_id, payload, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING
            """, arguments: [d.eventID, d.kind, d.gapID, d.payload, d.attempts, d.nextAttemptAt.timeIntervalSince1970,
                             d.createdAt.timeIntervalSince1970])
        return db.changesCount > 0
    }

    func markWebhookDelivered(eventID: String, at: Date) throws {
        try db.execute(sql: "UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE event_id = ?",
                       arguments: [at.timeIntervalSince1970, eventID])
    }

    func markWebhookFailed(eventID: String, attempts: Int, nextAttemptAt: Date, error: String) throws {
        try db.execute(sql: "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE event_id = ?",
                       arguments: [attempts, nextAttemptAt.timeIntervalSince1970, error, eventID])
    }
}

// MARK: Row mapping

extension GapRecord {
    init(row: Row) {
        let notified: Double? = row["notified_at"]
        let closed: Double? = row["closed_at"]
        self.init(id: row["id"], kind: GapKind(rawValue: row["kind"]) ?? .gap, status: GapStatus(rawValue: row["status"]) ?? .open,
                  count: row["count"], firstSeen: Date(timeIntervalSince1970: row["first_seen"]),
                  lastSeen: Date(timeIntervalSince1970: row["last_seen"]), centroid: floats(row["centroid"]),
                  confidenceSum: row["confidence_sum"], notifiedAt: notified.map(Date.init(timeIntervalSince1970:)),
                  closedAt: closed.map(Date.init(timeIntervalSince1970:)), closedReason: row["closed_reason"],
                  mergedInto: row["merged_into"])
    }
}

extension GapQuestionRecord {
    init(row: Row) {
        self.init(gapID: row["gap_id"], answerKey: row["answer_key"], question: row["question"], vector: floats(row["vector"]),
                  confidence: row["confidence"], at: Date(timeIntervalSince1970: row["at"]))
    }
}

extension WebhookDelivery {
    init(row: Row) {
        let delivered: Double? = row["delivered_at"]
        self.init(eventID: row["event_id"], kind: row["kind"], gapID: row["gap_id"], payload: row["payload"],
                  attempts: row["attempts"], nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
                  deliveredAt: delivered.map(Date.init(timeIntervalSince1970:)), lastError: row["last_error"],
                  createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}

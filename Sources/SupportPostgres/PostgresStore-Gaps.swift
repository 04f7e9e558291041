import Foundation
import Support

/// ``GapStore`` on PostgreSQL (the tables of migration 2). Text is ordered as SQLite orders it
/// (`COLLATE "C"`: by bytes), whatever the database's collation.
extension PostgresStore {
    /// Runs `body` in one write transaction, as ``write(_:)`` does.
    public func gapWrite<T>(_ body: (any GapStoreWriter) throws -> T) throws -> T {
        try transaction { session in try body(PostgresGapWriter(session: session)) }
    }

    /// The cluster row with this id.
    public func gap(id: Int64) throws -> GapRecord? {
        try read { session in try session.row("SELECT * FROM gaps WHERE id = $1", [id]).map(GapRecord.init(postgres:)) }
    }

    /// Clusters of a kind (and status), largest first, then the most recently seen.
    public func gaps(kind: GapKind, status: GapStatus?, limit: Int) throws -> [GapRecord] {
        try read { session in
            try session.rows("""
                SELECT * FROM gaps WHERE kind = $1 AND ($2::text IS NULL OR status = $2::text)
                ORDER BY count DESC, last_seen DESC, id LIMIT $3
                """, [kind.rawValue, status?.rawValue, limitValue(limit)]).map(GapRecord.init(postgres:))
        }
    }

    /// A cluster's questions, newest first.
    public func gapQuestions(gapID: Int64, limit: Int) throws -> [GapQuestionRecord] {
        try read { session in
            try session.rows("SELECT * FROM gap_questions WHERE gap_id = $1 ORDER BY \"at\" DESC, seq DESC LIMIT $2",
                             [gapID, limitValue(limit)]).map(GapQuestionRecord.init(postgres:))
        }
    }

    /// When a cluster's questions since `since` arrived, oldest first.
    public func gapQuestionTimes(gapID: Int64, since: Date) throws -> [Date] {
        try read { session in
            try session.rows("SELECT \"at\" FROM gap_questions WHERE gap_id = $1 AND \"at\" >= $2 ORDER BY \"at\"",
                             [gapID, since.timeIntervalSince1970]).map { try $0.date("at") }
        }
    }

    /// Undelivered events of the given kinds that are due, oldest first.
    public func dueWebhooks(kinds: [String], now: Date, maxAttempts: Int, limit: Int) throws -> [WebhookDelivery] {
        guard !kinds.isEmpty else { return [] }
        return try read { session in
            try session.rows("""
                SELECT * FROM webhook_deliveries
                WHERE delivered_at IS NULL AND kind = ANY($1) AND attempts < $2 AND next_attempt_at <= $3
                ORDER BY created_at, event_id COLLATE "C" LIMIT $4
                """, [kinds, maxAttempts, now.timeIntervalSince1970, limitValue(limit)]).map(WebhookDelivery.init(postgres:))
        }
    }

    /// The whole webhook outbox, newest first.
    public func webhookDeliveries(limit: Int) throws -> [WebhookDelivery] {
        try read { session in
            try session.rows("SELECT * FROM webhook_deliveries ORDER BY created_at DESC, event_id COLLATE \"C\" LIMIT $1",
                             [limitValue(limit)]).map(WebhookDelivery.init(postgres:))
        }
    }

    public func webhookDelivery(eventID: String) throws -> WebhookDelivery? {
        try read { session in
            try session.row("SELECT * FROM webhook_deliveries WHERE event_id = $1", [eventID]).map(WebhookDelivery.init(postgres:))
        }
    }

    public func webhookBacklog(kinds: [String], maxAttempts: Int) throws -> WebhookBacklog {
        guard !kinds.isEmpty else { return WebhookBacklog() }
        return try read { session in
            let counts = try session.row("""
                SELECT COUNT(*) FILTER (WHERE attempts < $2) AS pending, COUNT(*) FILTER (WHERE attempts >= $2) AS failed
                FROM webhook_deliveries WHERE delivered_at IS NULL AND kind = ANY($1)
                """, [kinds, maxAttempts])
            let last = try session.row("""
                SELECT last_error FROM webhook_deliveries WHERE delivered_at IS NULL AND kind = ANY($1)
                ORDER BY created_at DESC, event_id COLLATE "C" LIMIT 1
                """, [kinds])
            return WebhookBacklog(pending: Int(try counts?["pending"] as Int64? ?? 0), failed: Int(try counts?["failed"] as Int64? ?? 0),
                                  lastError: try last?["last_error"] as String?)
        }
    }
}

/// The gap writes of ``PostgresStore`` on one open transaction.
struct PostgresGapWriter: GapStoreWriter {
    let session: PostgresSession

    func insertGap(_ g: GapRecord) throws -> Int64 {
        let row = try session.row("""
            INSERT INTO gaps (kind, status, count, first_seen, last_seen, centroid, confidence_sum, notified_at, closed_at,
                              closed_reason, merged_into)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """, [g.kind.rawValue, g.status.rawValue, g.count, g.firstSeen.timeIntervalSince1970,
                  g.lastSeen.timeIntervalSince1970, vectorData(g.centroid), g.confidenceSum,
                  g.notifiedAt?.timeIntervalSince1970, g.closedAt?.timeIntervalSince1970, g.closedReason, g.mergedInto])
        guard let row else { throw SupportError.storeFailure("inserting a gap returned no id") }
        return try row["id"]
    }

    func updateGap(_ g: GapRecord) throws {
        try session.execute("""
            UPDATE gaps SET kind = $1, status = $2, count = $3, first_seen = $4, last_seen = $5, centroid = $6, confidence_sum = $7,
                            notified_at = $8, closed_at = $9, closed_reason = $10, merged_into = $11
            WHERE id = $12
            """, [g.kind.rawValue, g.status.rawValue, g.count, g.firstSeen.timeIntervalSince1970,
                  g.lastSeen.timeIntervalSince1970, vectorData(g.centroid), g.confidenceSum,
                  g.notifiedAt?.timeIntervalSince1970, g.closedAt?.timeIntervalSince1970, g.closedReason,
                  g.mergedInto, g.id])
    }

    func insertGapQuestion(_ q: GapQuestionRecord) throws {
        try session.execute("""
            INSERT INTO gap_questions (gap_id, answer_key, question, vector, confidence, "at") VALUES ($1, $2, $3, $4, $5, $6)
            """, [q.gapID, q.answerKey, q.question, vectorData(q.vector), q.confidence, q.at.timeIntervalSince1970])
    }

    func moveGapQuestions(from: Int64, into: Int64) throws {
        try session.execute("UPDATE gap_questions SET gap_id = $1 WHERE gap_id = $2", [into, from])
    }

    func enqueueWebhook(_ d: WebhookDelivery) throws -> Bool {
        let inserted = try session.execute("""
            INSERT INTO webhook_deliveries (event_id, kind, gap_id, payload, attempts, next_attempt_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING
            """, [d.eventID, d.kind, d.gapID, d.payload, d.attempts, d.nextAttemptAt.timeIntervalSince1970,
                  d.createdAt.timeIntervalSince1970])
        return inserted > 0
    }

    func markWebhookDelivered(eventID: String, at: Date) throws {
        try session.execute("UPDATE webhook_deliveries SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE event_id = $2",
                            [at.timeIntervalSince1970, eventID])
    }

    func markWebhookFailed(eventID: String, attempts: Int, nextAttemptAt: Date, error: String) throws {
        try session.execute("UPDATE webhook_deliveries SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE event_id = $4",
                            [attempts, nextAttemptAt.timeIntervalSince1970, error, eventID])
    }
}

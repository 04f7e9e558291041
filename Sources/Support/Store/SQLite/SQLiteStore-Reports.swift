import Foundation
import GRDB

/// ``ReportStore`` on SQLite: every aggregate is one `GROUP BY` over `answers`
/// (indexed by `created_at`), so a report costs one scan of its range.
extension SQLiteStore {
    /// The columns of an ``AnswerTally``, as SQL aggregates over `answers`.
    /// Wrong: answered, then reopened, or corrected with something other than the cited article.
    static let tallyColumns = """
        count(*) AS asked,
        coalesce(sum(decision = 'answer'), 0) AS answered,
        coalesce(sum(decision = 'escalate' OR outcome = 'escalated'), 0) AS escalated,
        coalesce(sum(decision = 'answer' AND outcome = 'resolved'), 0) AS resolved,
        coalesce(sum(outcome = 'reopened'), 0) AS reopened,
        coalesce(sum(outcome = 'corrected'), 0) AS corrected,
        coalesce(sum(decision = 'answer' AND (outcome = 'reopened' OR (outcome = 'corrected' AND coalesce(top_right, 0) = 0))), 0) AS wrong,
        coalesce(sum(decision = 'answer' AND outcome IS NULL), 0) AS pending,
        coalesce(sum(csat), 0) AS csat_sum,
        count(csat) AS csat_count,
        coalesce(sum(csat >= 4), 0) AS csat_satisfied
        """

    /// SQL for a period's label and first day. An ISO week is named by its
    /// Thursday: `weekday 0` moves to the week's Sunday, three days back is Thursday.
    static func periodColumns(_ period: ReportPeriod) -> (label: String, start: String) {
        switch period {
        case .day:
            return ("date(created_at, 'unixepoch')", "date(created_at, 'unixepoch')")
        case .week:
            let thursday = "date(created_at, 'unixepoch', 'weekday 0', '-3 days')"
            return ("strftime('%Y', \(thursday)) || '-W' || printf('%02d', (CAST(strftime('%j', \(thursday)) AS INTEGER) - 1) / 7 + 1)",
                    "date(created_at, 'unixepoch', 'weekday 0', '-6 days')")
        }
    }

    static func tally(_ row: Row) -> AnswerTally {
        AnswerTally(asked: row["asked"], answered: row["answered"], escalated: row["escalated"], resolved: row["resolved"],
                    reopened: row["reopened"], corrected: row["corrected"], wrong: row["wrong"], pending: row["pending"],
                    csatSum: row["csat_sum"], csatCount: row["csat_count"], csatSatisfied: row["csat_satisfied"])
    }

    /// One `GROUP BY` per period label over the range.
    public func tallies(by period: ReportPeriod, since: Date, until: Date) throws -> [PeriodTally] {
        let columns = Self.periodColumns(period)
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(columns.label) AS period, min(\(columns.start)) AS start, \(Self.tallyColumns)
                FROM answers WHERE created_at >= ? AND created_at < ? GROUP BY period ORDER BY period
                """, arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                PeriodTally(period: row["period"], start: row["start"], tally: Self.tally(row))
            }
        }
    }

    /// One `GROUP BY` per topic over the range, busiest first.
    public func topicTallies(since: Date, until: Date) throws -> [(topic: String, tally: AnswerTally)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT coalesce(topic, ?) AS topic_name, \(Self.tallyColumns)
                FROM answers WHERE created_at >= ? AND created_at < ? GROUP BY topic_name ORDER BY asked DESC, topic_name
                """, arguments: [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                (row["topic_name"], Self.tally(row))
            }
        }
    }

    /// Question counts per topic and period label.
    public func topicVolumes(by period: ReportPeriod, since: Date, until: Date) throws -> [TopicVolume] {
        let label = Self.periodColumns(period).label
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT coalesce(topic, ?) AS topic_name, \(label) AS period, count(*) AS n
                FROM answers WHERE created_at >= ? AND created_at < ? GROUP BY topic_name, period ORDER BY topic_name, period
                """, arguments: [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                TopicVolume(topic: row["topic_name"], period: row["period"], count: row["n"])
            }
        }
    }

    /// Score and lower-bound bins per topic, from one scan of the range.
    public func confidenceBins(_ bins: Int, since: Date, until: Date) throws -> [ConfidenceBinCount] {
        let bins = max(1, bins)
        return try pool.read { db in
            // One row per (topic, bin) from the union of the score and the lower-bound binnings.
            try Row.fetchAll(db, sql: """
                WITH binned AS (
                    SELECT coalesce(topic, :none) AS topic_name,
                           min(max(CAST(score * :bins AS INTEGER), 0), :last) AS score_bin,
                           min(max(CAST(lower * :bins AS INTEGER), 0), :last) AS lower_bin
                    FROM answers WHERE created_at >= :since AND created_at < :until
                ),
                counts AS (
                    SELECT topic_name, score_bin AS bin, count(*) AS scores, 0 AS lowers FROM binned GROUP BY topic_name, score_bin
                    UNION ALL
                    SELECT topic_name, lower_bin AS bin, 0 AS scores, count(*) AS lowers FROM binned GROUP BY topic_name, lower_bin
                )
                SELECT topic_name, bin, sum(scores) AS scores, sum(lowers) AS lowers FROM counts
                GROUP BY topic_name, bin ORDER BY topic_name, bin
                """, arguments: ["none": SupportReports.noTopic, "bins": bins, "last": bins - 1,
                                 "since": since.timeIntervalSince1970, "until": until.timeIntervalSince1970]).map { row in
                ConfidenceBinCount(topic: row["topic_name"], bin: row["bin"], scores: row["scores"], lowers: row["lowers"])
            }
        }
    }

    /// The range's questions, newest first.
    public func questions(since: Date, until: Date, limit: Int) throws -> [AskedQuestion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, question, topic, decision, created_at FROM answers
                WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, key DESC LIMIT ?
                """, arguments: [since.timeIntervalSince1970, until.timeIntervalSince1970, limit]).map { row in
                AskedQuestion(key: row["key"], text: row["question"], topic: row["topic"],
                              decision: Decision(rawValue: row["decision"]) ?? .escalate,
                              createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// Answers after a key, in key order.
    public func answerEvents(after key: Int64, limit: Int) throws -> [AnswerEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, decision, score FROM answers WHERE key > ? ORDER BY key LIMIT ?",
                             arguments: [key, limit]).map { row in
                AnswerEvent(key: row["key"], decision: Decision(rawValue: row["decision"]) ?? .escalate, score: row["score"])
            }
        }
    }

    /// The `counters` table (migration v3), kept by triggers on `answers`, `outcomes`,
    /// `core_outbox` and `gaps`: one read of a few dozen rows.
    public func counters() throws -> StoreCounters {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT name, value FROM counters") }
        return StoreCounters(counterRows: rows.map { row in (row["name"], row["value"]) })
    }

    /// Outcomes after a sequence, in order.
    public func outcomeEvents(after sequence: Int64, limit: Int) throws -> [OutcomeEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, kind FROM outcomes WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [sequence, limit]).compactMap { row in
                OutcomeKind(rawValue: row["kind"]).map { OutcomeEvent(sequence: row["seq"], kind: $0) }
            }
        }
    }
}

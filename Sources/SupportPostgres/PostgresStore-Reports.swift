import Foundation
import Support

/// ``ReportStore`` on PostgreSQL: every aggregate is one `GROUP BY` over `answers` (indexed
/// by `created_at`), as on SQLite. SQLite's spellings become PostgreSQL's with the same
/// results: `sum(condition)` is `count(*) FILTER (WHERE condition)`, `date(t, 'unixepoch')`
/// is `to_char(to_timestamp(t) AT TIME ZONE 'UTC', …)`, SQLite's Thursday-based ISO week is
/// `IYYY-"W"IW`, `CAST(x AS INTEGER)` is `trunc(x)`, and text sorts `COLLATE "C"` (by bytes,
/// SQLite's `BINARY`) whatever the database's collation.
extension PostgresStore {
    /// The columns of an ``AnswerTally``, as SQL aggregates over `answers`.
    /// Wrong: answered, then reopened, or corrected with something other than the cited article.
    static let tallyColumns = """
        count(*) AS asked,
        count(*) FILTER (WHERE decision = 'answer') AS answered,
        count(*) FILTER (WHERE decision = 'escalate' OR outcome = 'escalated') AS escalated,
        count(*) FILTER (WHERE decision = 'answer' AND outcome = 'resolved') AS resolved,
        count(*) FILTER (WHERE outcome = 'reopened') AS reopened,
        count(*) FILTER (WHERE outcome = 'corrected') AS corrected,
        count(*) FILTER (WHERE decision = 'answer' AND (outcome = 'reopened' OR (outcome = 'corrected' AND coalesce(top_right, 0) = 0))) AS wrong,
        count(*) FILTER (WHERE decision = 'answer' AND outcome IS NULL) AS pending,
        coalesce(sum(csat), 0)::bigint AS csat_sum,
        count(csat) AS csat_count,
        count(*) FILTER (WHERE csat >= 4) AS csat_satisfied
        """

    /// The UTC time of `created_at`.
    private static let utc = "(to_timestamp(created_at) AT TIME ZONE 'UTC')"

    /// SQL for a period's label and first day (ISO weeks start on Monday, `date_trunc('week', …)`).
    static func periodColumns(_ period: ReportPeriod) -> (label: String, start: String) {
        switch period {
        case .day:
            return ("to_char(\(utc), 'YYYY-MM-DD') COLLATE \"C\"", "to_char(\(utc), 'YYYY-MM-DD')")
        case .week:
            return ("to_char(\(utc), 'IYYY-\"W\"IW') COLLATE \"C\"", "to_char(date_trunc('week', \(utc)), 'YYYY-MM-DD')")
        }
    }

    static func tally(_ row: PostgresStoreRow) throws -> AnswerTally {
        AnswerTally(asked: try row["asked"], answered: try row["answered"], escalated: try row["escalated"], resolved: try row["resolved"],
                    reopened: try row["reopened"], corrected: try row["corrected"], wrong: try row["wrong"], pending: try row["pending"],
                    csatSum: try row["csat_sum"], csatCount: try row["csat_count"], csatSatisfied: try row["csat_satisfied"])
    }

    /// One `GROUP BY` per period label over the range.
    public func tallies(by period: ReportPeriod, since: Date, until: Date) throws -> [PeriodTally] {
        let columns = Self.periodColumns(period)
        return try read { session in
            try session.rows("""
                SELECT \(columns.label) AS period, min(\(columns.start)) AS start, \(Self.tallyColumns)
                FROM answers WHERE created_at >= $1 AND created_at < $2 GROUP BY period ORDER BY period
                """, [since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                PeriodTally(period: try row["period"], start: try row["start"], tally: try Self.tally(row))
            }
        }
    }

    /// One `GROUP BY` per topic over the range, busiest first.
    public func topicTallies(since: Date, until: Date) throws -> [(topic: String, tally: AnswerTally)] {
        try read { session in
            try session.rows("""
                SELECT coalesce(topic, $1::text) COLLATE "C" AS topic_name, \(Self.tallyColumns)
                FROM answers WHERE created_at >= $2 AND created_at < $3 GROUP BY topic_name ORDER BY asked DESC, topic_name
                """, [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                (try row["topic_name"], try Self.tally(row))
            }
        }
    }

    /// Question counts per topic and period label.
    public func topicVolumes(by period: ReportPeriod, since: Date, until: Date) throws -> [TopicVolume] {
        let label = Self.periodColumns(period).label
        return try read { session in
            try session.rows("""
                SELECT coalesce(topic, $1::text) COLLATE "C" AS topic_name, \(label) AS period, count(*) AS n
                FROM answers WHERE created_at >= $2 AND created_at < $3 GROUP BY topic_name, period ORDER BY topic_name, period
                """, [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                TopicVolume(topic: try row["topic_name"], period: try row["period"], count: try row["n"])
            }
        }
    }

    /// Score and lower-bound bins per topic, from one scan of the range.
    public func confidenceBins(_ bins: Int, since: Date, until: Date) throws -> [ConfidenceBinCount] {
        let bins = max(1, bins)
        return try read { session in
            // One row per (topic, bin) from the union of the score and the lower-bound binnings.
            try session.rows("""
                WITH binned AS (
                    SELECT coalesce(topic, $1::text) COLLATE "C" AS topic_name,
                           LEAST(GREATEST(trunc(score * $2::double precision)::bigint, 0), $3::bigint) AS score_bin,
                           LEAST(GREATEST(trunc(lower * $2::double precision)::bigint, 0), $3::bigint) AS lower_bin
                    FROM answers WHERE created_at >= $4 AND created_at < $5
                ),
                counts AS (
                    SELECT topic_name, score_bin AS bin, count(*) AS scores, 0::bigint AS lowers FROM binned GROUP BY topic_name, score_bin
                    UNION ALL
                    SELECT topic_name, lower_bin AS bin, 0::bigint AS scores, count(*) AS lowers FROM binned GROUP BY topic_name, lower_bin
                )
                SELECT topic_name, bin, sum(scores)::bigint AS scores, sum(lowers)::bigint AS lowers FROM counts
                GROUP BY topic_name, bin ORDER BY topic_name, bin
                """, [SupportReports.noTopic, Double(bins), bins - 1, since.timeIntervalSince1970, until.timeIntervalSince1970]).map { row in
                ConfidenceBinCount(topic: try row["topic_name"], bin: try row["bin"], scores: try row["scores"], lowers: try row["lowers"])
            }
        }
    }

    /// The range's questions, newest first.
    public func questions(since: Date, until: Date, limit: Int) throws -> [AskedQuestion] {
        try read { session in
            try session.rows("""
                SELECT key, question, topic, decision, created_at FROM answers
                WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at DESC, key DESC LIMIT $3
                """, [since.timeIntervalSince1970, until.timeIntervalSince1970, limitValue(limit)]).map { row in
                AskedQuestion(key: try row["key"], text: try row["question"], topic: try row["topic"],
                              decision: Decision(rawValue: try row["decision"]) ?? .escalate, createdAt: try row.date("created_at"))
            }
        }
    }

    /// Answers after a key, in key order.
    public func answerEvents(after key: Int64, limit: Int) throws -> [AnswerEvent] {
        try read { session in
            try session.rows("SELECT key, decision, score FROM answers WHERE key > $1 ORDER BY key LIMIT $2", [key, limitValue(limit)]).map { row in
                AnswerEvent(key: try row["key"], decision: Decision(rawValue: try row["decision"]) ?? .escalate, score: try row["score"])
            }
        }
    }

    /// Outcomes after a sequence, in order.
    public func outcomeEvents(after sequence: Int64, limit: Int) throws -> [OutcomeEvent] {
        try read { session in
            try session.rows("SELECT seq, kind FROM outcomes WHERE seq > $1 ORDER BY seq LIMIT $2", [sequence, limitValue(limit)]).compactMap { row in
                let kind: String = try row["kind"]
                return try OutcomeKind(rawValue: kind).map { OutcomeEvent(sequence: try row["seq"], kind: $0) }
            }
        }
    }

    /// The `counters` table (migration 3), kept by triggers on `answers`, `outcomes`,
    /// `core_outbox` and `gaps`: one read of a few dozen rows.
    public func counters() throws -> StoreCounters {
        let rows = try read { session in try session.rows("SELECT name, value FROM counters") }
        return StoreCounters(counterRows: try rows.map { row in (try row["name"], try row["value"]) })
    }
}

import Foundation
import GRDB

/// ``RolloutStore`` on SQLite: `topic_modes` (the mode now), `topic_mode_changes` (every change)
/// and the `mode` and `shadow_decision` of each answer.
extension SQLiteStore {
    /// The modes someone set, by topic.
    public func topicModes() throws -> [String: TopicMode] {
        try pool.read { db in
            var modes: [String: TopicMode] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT topic, mode FROM topic_modes") {
                // Only this type writes the column; a mode it does not know (a newer version's) is left out.
                guard let mode = TopicMode(rawValue: row["mode"]) else { continue }
                modes[row["topic"]] = mode
            }
            return modes
        }
    }

    /// Every mode change, oldest first.
    public func topicModeChanges() throws -> [TopicModeChange] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT topic, mode, changed_at FROM topic_mode_changes ORDER BY id").compactMap { row in
                let raw: String = row["mode"]
                guard let mode = TopicMode(rawValue: raw) else { return nil }
                return TopicModeChange(topic: row["topic"], mode: mode, changedAt: Date(timeIntervalSince1970: row["changed_at"]))
            }
        }
    }

    /// Each topic's judged answers ever (with a candidate, as the policy counts them).
    public func judgedCountsByTopic() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT topic, count(*) AS n FROM answers
                WHERE top_right IS NOT NULL AND article_key IS NOT NULL AND topic IS NOT NULL GROUP BY topic
                """) {
                counts[row["topic"]] = row["n"]
            }
            return counts
        }
    }

    /// Each topic's figures by mode, for every topic with an answer.
    public func topicFigures() throws -> [String: TopicFigures] {
        try pool.read { db in
            var figures: [String: TopicFigures] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT topic,
                    sum(mode = 'live' AND decision = 'answer') AS answered,
                    sum(mode = 'live' AND decision = 'answer' AND top_right = 1) AS right,
                    sum(mode = 'live' AND decision = 'answer' AND top_right = 0) AS wrong,
                    sum(mode = 'live' AND decision <> 'answer') AS escalated,
                    sum(mode = 'shadow' AND shadow_decision = 'answer') AS would_answer,
                    sum(mode = 'shadow' AND shadow_decision = 'answer' AND top_right = 1) AS would_be_right,
                    sum(mode = 'shadow' AND shadow_decision = 'answer' AND top_right = 0) AS would_be_wrong,
                    sum(mode = 'shadow' AND shadow_decision = 'escalate' AND (top_right = 0 OR outcome = 'escalated')) AS rightly_escalated
                FROM answers WHERE topic IS NOT NULL GROUP BY topic
                """)
            for row in rows {
                figures[row["topic"]] = TopicFigures(
                    answered: row["answered"] ?? 0, right: row["right"] ?? 0, wrong: row["wrong"] ?? 0, escalated: row["escalated"] ?? 0,
                    wouldAnswer: row["would_answer"] ?? 0, wouldBeRight: row["would_be_right"] ?? 0,
                    wouldBeWrong: row["would_be_wrong"] ?? 0, rightlyEscalated: row["rightly_escalated"] ?? 0)
            }
            return figures
        }
    }

    /// The first live answer's time.
    public func firstLiveAnswerAt() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT min(created_at) FROM answers WHERE mode = 'live' AND decision = 'answer'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Seconds from each question of the range to its first `resolved` outcome, by topic.
    public func resolutionSeconds(since: Date, until: Date) throws -> [String: [Double]] {
        try pool.read { db in
            var seconds: [String: [Double]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT coalesce(a.topic, ?) AS topic_name, min(o.created_at) - a.created_at AS seconds
                FROM answers a JOIN outcomes o ON o.answer_key = a.key AND o.kind = 'resolved'
                WHERE a.created_at >= ? AND a.created_at < ? GROUP BY a.key
                """, arguments: [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970])
            while let row = try rows.next() {
                seconds[row["topic_name"], default: []].append(max(0, row["seconds"]))
            }
            return seconds
        }
    }

    /// The stored baseline, busiest topic first.
    public func rolloutBaseline() throws -> RolloutBaseline? {
        try pool.read { db in
            guard let head = try Row.fetchOne(db, sql: "SELECT * FROM rollout_baseline WHERE id = 1") else { return nil }
            let topics = try Row.fetchAll(db, sql: "SELECT * FROM rollout_baseline_topics ORDER BY tickets DESC, topic").map { row in
                BaselineTopic(topic: row["topic"], tickets: row["tickets"], solved: row["solved"], resolved: row["resolved"],
                              reopened: row["reopened"], csatCount: row["csat_count"], csatSatisfied: row["csat_satisfied"],
                              medianFirstReplySeconds: row["median_first_reply_seconds"],
                              medianResolutionSeconds: row["median_resolution_seconds"])
            }
            let first: Double? = head["first_ticket_at"], last: Double? = head["last_ticket_at"]
            return RolloutBaseline(source: head["source"], importedAt: Date(timeIntervalSince1970: head["imported_at"]),
                                   firstTicketAt: first.map(Date.init(timeIntervalSince1970:)),
                                   lastTicketAt: last.map(Date.init(timeIntervalSince1970:)), topics: topics)
        }
    }
}

extension SQLiteWriter {
    /// Sets a topic's mode and records the change.
    func setTopicMode(topic: String, mode: TopicMode, at date: Date) throws {
        try run("""
            INSERT INTO topic_modes (topic, mode, changed_at) VALUES (?, ?, ?)
            ON CONFLICT(topic) DO UPDATE SET mode = excluded.mode, changed_at = excluded.changed_at
            """, [topic, mode.rawValue, date.timeIntervalSince1970])
        try run("INSERT INTO topic_mode_changes (topic, mode, changed_at) VALUES (?, ?, ?)", [topic, mode.rawValue, date.timeIntervalSince1970])
    }

    /// Replaces the baseline: its head row and every topic's counts, in the caller's transaction.
    func replaceRolloutBaseline(_ baseline: RolloutBaseline) throws {
        try run("DELETE FROM rollout_baseline_topics", [])
        try run("""
            INSERT OR REPLACE INTO rollout_baseline (id, source, imported_at, first_ticket_at, last_ticket_at) VALUES (1, ?, ?, ?, ?)
            """, [baseline.source, baseline.importedAt.timeIntervalSince1970, baseline.firstTicketAt?.timeIntervalSince1970,
                  baseline.lastTicketAt?.timeIntervalSince1970])
        for topic in baseline.topics {
            try run("""
                INSERT INTO rollout_baseline_topics (topic, tickets, solved, resolved, reopened, csat_count, csat_satisfied,
                    median_first_reply_seconds, median_resolution_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [topic.topic, topic.tickets, topic.solved, topic.resolved, topic.reopened, topic.csatCount, topic.csatSatisfied,
                      topic.medianFirstReplySeconds, topic.medianResolutionSeconds])
        }
    }
}

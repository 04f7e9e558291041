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
}

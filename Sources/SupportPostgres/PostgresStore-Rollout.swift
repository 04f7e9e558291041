import Foundation
import Support

/// ``RolloutStore`` on PostgreSQL: `topic_modes` (the mode now), `topic_mode_changes` (every
/// change) and the `mode` and `shadow_decision` of each answer.
extension PostgresStore {
    /// The modes someone set, by topic.
    public func topicModes() throws -> [String: TopicMode] {
        try read { session in
            var modes: [String: TopicMode] = [:]
            for row in try session.rows("SELECT topic, mode FROM topic_modes") {
                // Only this type writes the column; a mode it does not know (a newer version's) is left out.
                guard let mode = TopicMode(rawValue: try row["mode"]) else { continue }
                modes[try row["topic"]] = mode
            }
            return modes
        }
    }

    /// Every mode change, oldest first.
    public func topicModeChanges() throws -> [TopicModeChange] {
        try read { session in
            try session.rows("SELECT topic, mode, changed_at FROM topic_mode_changes ORDER BY id").compactMap { row in
                guard let mode = TopicMode(rawValue: try row["mode"]) else { return nil }
                return TopicModeChange(topic: try row["topic"], mode: mode, changedAt: try row.date("changed_at"))
            }
        }
    }

    /// Each topic's judged answers ever (with a candidate, as the policy counts them).
    public func judgedCountsByTopic() throws -> [String: Int] {
        try read { session in
            var counts: [String: Int] = [:]
            for row in try session.rows("""
                SELECT topic, count(*) AS n FROM answers
                WHERE top_right IS NOT NULL AND article_key IS NOT NULL AND topic IS NOT NULL GROUP BY topic
                """) {
                counts[try row["topic"]] = try row["n"]
            }
            return counts
        }
    }

    /// Each topic's figures by mode, for every topic with an answer.
    public func topicFigures() throws -> [String: TopicFigures] {
        try read { session in
            var figures: [String: TopicFigures] = [:]
            let rows = try session.rows("""
                SELECT topic,
                    count(*) FILTER (WHERE mode = 'live' AND decision = 'answer') AS answered,
                    count(*) FILTER (WHERE mode = 'live' AND decision = 'answer' AND top_right = 1) AS "right",
                    count(*) FILTER (WHERE mode = 'live' AND decision = 'answer' AND top_right = 0) AS wrong,
                    count(*) FILTER (WHERE mode = 'live' AND decision <> 'answer') AS escalated,
                    count(*) FILTER (WHERE mode = 'shadow' AND shadow_decision = 'answer') AS would_answer,
                    count(*) FILTER (WHERE mode = 'shadow' AND shadow_decision = 'answer' AND top_right = 1) AS would_be_right,
                    count(*) FILTER (WHERE mode = 'shadow' AND shadow_decision = 'answer' AND top_right = 0) AS would_be_wrong,
                    count(*) FILTER (WHERE mode = 'shadow' AND shadow_decision = 'escalate' AND (top_right = 0 OR outcome = 'escalated'))
                        AS rightly_escalated
                FROM answers WHERE topic IS NOT NULL GROUP BY topic
                """)
            for row in rows {
                figures[try row["topic"]] = TopicFigures(
                    answered: try row["answered"], right: try row["right"], wrong: try row["wrong"], escalated: try row["escalated"],
                    wouldAnswer: try row["would_answer"], wouldBeRight: try row["would_be_right"],
                    wouldBeWrong: try row["would_be_wrong"], rightlyEscalated: try row["rightly_escalated"])
            }
            return figures
        }
    }

    /// The first live answer's time.
    public func firstLiveAnswerAt() throws -> Date? {
        try read { session in
            try session.row("SELECT min(created_at) AS first FROM answers WHERE mode = 'live' AND decision = 'answer'")?
                .optionalDate("first")
        }
    }

    /// Seconds from each question of the range to its first `resolved` outcome, by topic (in key order).
    public func resolutionSeconds(since: Date, until: Date) throws -> [String: [Double]] {
        try read { session in
            var seconds: [String: [Double]] = [:]
            for row in try session.rows("""
                SELECT coalesce(a.topic, $1::text) AS topic_name, min(o.created_at) - a.created_at AS seconds
                FROM answers a JOIN outcomes o ON o.answer_key = a.key AND o.kind = 'resolved'
                WHERE a.created_at >= $2 AND a.created_at < $3 GROUP BY a.key ORDER BY a.key
                """, [SupportReports.noTopic, since.timeIntervalSince1970, until.timeIntervalSince1970]) {
                seconds[try row["topic_name"], default: []].append(max(0, try row["seconds"]))
            }
            return seconds
        }
    }

    /// The stored baseline, busiest topic first, from one snapshot.
    public func rolloutBaseline() throws -> RolloutBaseline? {
        try snapshot { session in
            guard let head = try session.row("SELECT * FROM rollout_baseline WHERE id = 1") else { return nil }
            let topics = try session.rows("SELECT * FROM rollout_baseline_topics ORDER BY tickets DESC, topic COLLATE \"C\"").map { row in
                BaselineTopic(topic: try row["topic"], tickets: try row["tickets"], solved: try row["solved"], resolved: try row["resolved"],
                              reopened: try row["reopened"], csatCount: try row["csat_count"], csatSatisfied: try row["csat_satisfied"],
                              medianFirstReplySeconds: try row["median_first_reply_seconds"],
                              medianResolutionSeconds: try row["median_resolution_seconds"])
            }
            return RolloutBaseline(source: try head["source"], importedAt: try head.date("imported_at"),
                                   firstTicketAt: try head.optionalDate("first_ticket_at"),
                                   lastTicketAt: try head.optionalDate("last_ticket_at"), topics: topics)
        }
    }
}

import Foundation

/// What a helpdesk measured on one past ticket: the figures of the roll-out's baseline
/// (`loopdesk baseline import`). Each is `nil` where the export does not carry it.
public struct TicketMetrics: Sendable, Equatable {
    /// Seconds from opening to the first agent reply (calendar time).
    public var firstReplySeconds: Double?
    /// Seconds from opening to the (last) solve (calendar time).
    public var resolutionSeconds: Double?
    /// Times the ticket was reopened after a solve.
    public var reopens: Int?
    /// The customer's rating, as satisfied or not: Zendesk `good`/`bad`, Freshdesk above neutral
    /// (101–103), Intercom and CSV 4–5 of 5.
    public var satisfied: Bool?

    /// Figures as read (none by default).
    public init(firstReplySeconds: Double? = nil, resolutionSeconds: Double? = nil, reopens: Int? = nil, satisfied: Bool? = nil) {
        self.firstReplySeconds = firstReplySeconds
        self.resolutionSeconds = resolutionSeconds
        self.reopens = reopens
        self.satisfied = satisfied
    }
}

/// Where each export keeps its ticket metrics.
///
/// | format | first reply | resolution | reopens | satisfied |
/// | --- | --- | --- | --- | --- |
/// | zendesk | `metric_set.reply_time_in_minutes.calendar` | `metric_set.full_resolution_time_in_minutes.calendar` | `metric_set.reopens` | `satisfaction_rating.score` good / bad |
/// | freshdesk | `stats.first_responded_at` − `created_at` | `stats.resolved_at` (or `closed_at`) − `created_at` | 1 when `stats.reopened_at` is set | `satisfaction_rating.ratings.default_question` > 100 |
/// | intercom | `statistics.first_admin_reply_at` − `created_at` | `statistics.last_close_at` − `created_at` | `statistics.count_reopens` | `conversation_rating.rating` ≥ 4 |
/// | csv | `first_reply_at` − `created_at` | `solved_at` − `created_at` | `reopens` | `csat` ≥ 4 (1–5) |
///
/// Zendesk's metric set is what the incremental export gives with `include=metric_sets`; a
/// ticket carrying it as `metrics` or `ticket_metric` is read the same.
extension HelpdeskExports {
    static func zendeskMetrics(_ ticket: ImportJSON) -> TicketMetrics {
        let set = ticket["metric_set"] ?? ticket["metrics"] ?? ticket["ticket_metric"]
        func minutes(_ key: String) -> Double? {
            set?[path: key, "calendar"]?.integer.map { Double($0) * 60 }
        }
        let score = ticket[path: "satisfaction_rating", "score"]?.text?.lowercased()
        return TicketMetrics(firstReplySeconds: minutes("reply_time_in_minutes"),
                             resolutionSeconds: minutes("full_resolution_time_in_minutes"),
                             reopens: set?["reopens"]?.integer.map { Int(clamping: $0) },
                             satisfied: score == "good" ? true : score == "bad" ? false : nil)
    }

    static func freshdeskMetrics(_ ticket: ImportJSON) -> TicketMetrics {
        let created = isoDate(ticket["created_at"])
        func since(_ key: String) -> Double? {
            guard let created, let date = isoDate(ticket[path: "stats", key]) else { return nil }
            return max(0, date.timeIntervalSince(created))
        }
        let rating = ticket[path: "satisfaction_rating", "ratings", "default_question"]?.integer
        let stats = ticket["stats"]
        return TicketMetrics(firstReplySeconds: since("first_responded_at"),
                             resolutionSeconds: since("resolved_at") ?? since("closed_at"),
                             reopens: stats == nil ? nil : (isoDate(stats?["reopened_at"]) == nil ? 0 : 1),
                             satisfied: rating.map { $0 > 100 })
    }

    static func intercomMetrics(_ conversation: ImportJSON) -> TicketMetrics {
        let created = conversation["created_at"]?.integer
        func since(_ key: String) -> Double? {
            guard let created, let at = conversation[path: "statistics", key]?.integer else { return nil }
            return Double(max(0, at - created))
        }
        let rating = conversation[path: "conversation_rating", "rating"]?.integer
        let reopens = conversation[path: "statistics", "count_reopens"] ?? conversation[path: "statistics", "reopens"]
        return TicketMetrics(firstReplySeconds: since("first_admin_reply_at"), resolutionSeconds: since("last_close_at"),
                             reopens: reopens?.integer.map { Int(clamping: $0) }, satisfied: rating.map { $0 >= 4 })
    }

    /// A CSV row's metrics.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a date that is not ISO 8601, a negative or
    ///   non-numeric `reopens`, a `csat` outside 1–5, or a reply or solve time without `created_at`.
    static func csvMetrics(_ row: ImportCSVTable.Row, createdAt: Date?, source: String) throws -> TicketMetrics {
        func date(_ column: String) throws -> Date? {
            let text = row[column]
            guard !text.isEmpty else { return nil }
            guard let date = isoDate(.string(text)) else {
                throw SupportError.invalidRequest("\(source) line \(row.line): \(column) \"\(text)\" is not an ISO 8601 date")
            }
            guard let createdAt else {
                throw SupportError.invalidRequest("\(source) line \(row.line): \(column) needs created_at")
            }
            return max(createdAt, date)
        }
        var metrics = TicketMetrics()
        metrics.firstReplySeconds = try date("first_reply_at").map { $0.timeIntervalSince(createdAt!) }
        metrics.resolutionSeconds = try date("solved_at").map { $0.timeIntervalSince(createdAt!) }
        if !row["reopens"].isEmpty {
            guard let reopens = Int(row["reopens"]), reopens >= 0 else {
                throw SupportError.invalidRequest("\(source) line \(row.line): reopens \"\(row["reopens"])\" is not a count")
            }
            metrics.reopens = reopens
        }
        if !row["csat"].isEmpty {
            guard let csat = Int(row["csat"]), (1...5).contains(csat) else {
                throw SupportError.invalidRequest("\(source) line \(row.line): csat \"\(row["csat"])\" is not 1–5")
            }
            metrics.satisfied = csat >= 4
        }
        return metrics
    }
}

import Foundation

/// The roll-out report as JSON, the same for `GET /v1/reports/rollout` and the replay's `rollout`:
///
/// ```json
/// {"deployed_at": "2025-01-01T00:00:00Z", "deployed_at_source": "first_live_answer", "generated_at": "…",
///  "baseline": {"source": "zendesk", "imported_at": "…", "first_ticket_at": "…", "last_ticket_at": "…",
///               "topics": [{"topic", "tickets", "solved", "resolution_rate", "reopen_rate", "csat", "csat_count",
///                           "median_first_reply_seconds", "median_resolution_seconds", "ci_low", "ci_high",
///                           "intervals": {"reopen_rate": [lo, hi], "csat": [lo, hi]}}]},
///  "checkpoints": [{"day": 30, "since": "…", "until": "…", "topics": [{"topic", "mode", "tickets", "answered",
///                   "autonomous_resolution_rate", "escalation_rate", "reopen_rate", "wrong_answer_rate", "csat",
///                   "csat_count", "median_resolution_seconds", "ci_low", "ci_high",
///                   "intervals": {"escalation_rate": [lo, hi], "reopen_rate": …, "wrong_answer_rate": …, "csat": …}}],
///                   "total": {…}}]}
/// ```
///
/// `ci_low`/`ci_high` are the 95 % Wilson interval of the row's resolution rate (autonomous
/// resolution at a checkpoint, solved-and-not-reopened in the baseline); `intervals` has the
/// other rates'. A rate without a denominator, its interval and a median of nothing are `null`.
/// `baseline` is `{"topics": []}` until one is imported; a checkpoint not reached is absent.
extension RolloutReport {
    /// The report as a JSON value tree.
    public var jsonValue: JSONValue {
        .object([
            "deployed_at": deployedAt.map { .string(Self.iso($0)) } ?? .null,
            "deployed_at_source": deployedAtSource.map { .string($0.rawValue) } ?? .null,
            "generated_at": .string(Self.iso(generatedAt)),
            "baseline": baseline?.jsonValue ?? .object(["topics": .array([])]),
            "checkpoints": .array(checkpoints.map(\.jsonValue)),
        ])
    }

    /// `2025-01-01T00:00:00Z`.
    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}

extension RolloutRate {
    /// The rate, or `null`.
    var json: JSONValue { .number(value) }
    /// `[lower, upper]`, or `null`.
    var intervalJSON: JSONValue {
        interval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
    }
}

extension RolloutBaseline {
    /// The baseline as JSON.
    public var jsonValue: JSONValue {
        .object([
            "source": .string(source),
            "imported_at": .string(RolloutReport.iso(importedAt)),
            "first_ticket_at": firstTicketAt.map { .string(RolloutReport.iso($0)) } ?? .null,
            "last_ticket_at": lastTicketAt.map { .string(RolloutReport.iso($0)) } ?? .null,
            "topics": .array(topics.map(\.jsonValue)),
        ])
    }
}

extension BaselineTopic {
    /// One baseline topic as JSON.
    public var jsonValue: JSONValue {
        .object([
            "topic": .string(topic),
            "tickets": .int(tickets),
            "solved": .int(solved),
            "resolution_rate": resolution.json,
            "reopen_rate": reopen.json,
            "csat": csat.json,
            "csat_count": .int(csatCount),
            "median_first_reply_seconds": .number(medianFirstReplySeconds),
            "median_resolution_seconds": .number(medianResolutionSeconds),
            "ci_low": resolution.interval.map { .number($0.lower) } ?? .null,
            "ci_high": resolution.interval.map { .number($0.upper) } ?? .null,
            "intervals": .object(["reopen_rate": reopen.intervalJSON, "csat": csat.intervalJSON]),
        ])
    }
}

extension RolloutCheckpoint {
    /// One checkpoint as JSON.
    public var jsonValue: JSONValue {
        .object([
            "day": .int(day),
            "since": .string(RolloutReport.iso(since)),
            "until": .string(RolloutReport.iso(until)),
            "topics": .array(topics.map(\.jsonValue)),
            "total": total.jsonValue,
        ])
    }
}

extension RolloutTopicFigures {
    /// One topic of a checkpoint as JSON.
    public var jsonValue: JSONValue {
        .object([
            "topic": .string(topic),
            "mode": .string(mode.rawValue),
            "tickets": .int(tickets),
            "answered": .int(answered),
            "autonomous_resolution_rate": autonomousResolution.json,
            "escalation_rate": escalation.json,
            "reopen_rate": reopen.json,
            "wrong_answer_rate": wrongAnswer.json,
            "csat": csat.json,
            "csat_count": .int(csat.of),
            "median_resolution_seconds": .number(medianResolutionSeconds),
            "ci_low": autonomousResolution.interval.map { .number($0.lower) } ?? .null,
            "ci_high": autonomousResolution.interval.map { .number($0.upper) } ?? .null,
            "intervals": .object([
                "escalation_rate": escalation.intervalJSON,
                "reopen_rate": reopen.intervalJSON,
                "wrong_answer_rate": wrongAnswer.intervalJSON,
                "csat": csat.intervalJSON,
            ]),
        ])
    }
}

extension BaselineImportSummary {
    /// `{"tickets", "mapped_by_tag", "mapped_by_nearest_article", "without_topic", "baseline"}`.
    public var jsonValue: JSONValue {
        .object([
            "tickets": .int(tickets),
            "mapped_by_tag": .int(mappedByTag),
            "mapped_by_nearest_article": .int(mappedByNearestArticle),
            "without_topic": .int(withoutTopic),
            "baseline": baseline.jsonValue,
        ])
    }
}

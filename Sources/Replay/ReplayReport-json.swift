import Foundation
import Support

extension ReplayReport {
    /// The report as JSON (keys sorted, pretty-printed): `summary`, `weeks`,
    /// `released_labels`, `gap_labels`. Unknown figures are `null`, never left out.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(jsonValue)
    }

    /// The report as a JSON value tree (what ``jsonData()`` encodes).
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "days": .int(days),
            "rejected_outcomes": .int(rejectedOutcomes),
            "solved_events": solvedEvents.map { .object(["all": .int($0.all), "other_article": .int($0.otherArticle)]) } ?? .null,
            "summary": summaryJSON,
            "weeks": .array(weeks.map(\.jsonValue)),
            "released_labels": .array(releasedLabels.map(\.jsonValue)),
            "released_first_two_weeks": releasedFirstTwoWeeks.map(Self.twoWeeksJSON) ?? .null,
            "released_topics_first_two_weeks": releasedTopicsFirstTwoWeeks.map(Self.twoWeeksJSON) ?? .null,
            "gap_labels": .array(gapLabels.map(\.jsonValue)),
        ]
        fields["frontier"] = frontier.isEmpty ? .null : .array(frontier.map(Self.frontierJSON))
        fields["rollout"] = rolloutJSON
        fields["calibration"] = calibration.jsonValue
        return .object(fields)
    }

    /// One frontier point: its target, counts and rates.
    private static func frontierJSON(_ point: FrontierPoint) -> JSONValue {
        .object(["target": .number(point.target), "tickets": .int(point.rates.tickets),
                 "answered": .int(point.rates.answered), "wrong_answers": .int(point.rates.wrongAnswers),
                 "resolution_rate": .number(point.rates.resolutionRate),
                 "wrong_answer_rate": .number(point.rates.wrongAnswerRate),
                 "oos_answered_rate": .number(point.rates.outOfScopeAnsweredRate)])
    }

    /// A first-two-weeks count: tickets, answers, wrong answers and the two rates.
    private static func twoWeeksJSON(_ rates: ReplayRates) -> JSONValue {
        .object(["tickets": .int(rates.tickets), "answered": .int(rates.answered), "wrong_answers": .int(rates.wrongAnswers),
                 "wrong_answer_rate": rates.wrongAnswerRate.map { .number($0) } ?? .null,
                 "resolution_rate": rates.resolutionRate.map { .number($0) } ?? .null])
    }

    /// The roll-out report, or `null` when the run made none.
    private var rolloutJSON: JSONValue {
        guard let rollout else { return .null }
        return rollout.jsonValue
    }

    private var summaryJSON: JSONValue {
        var fields = Self.rateFields(summary.learning, prefix: "")
        fields.merge(Self.rateFields(summary.baseline, prefix: "baseline_")) { a, _ in a }
        fields["from_day"] = .int(summary.fromDay)
        fields["to_day"] = .int(summary.toDay)
        fields["oracle_resolution_rate"] = .number(summary.learning.oracleResolutionRate)
        fields["gap_detection_median_questions"] = .number(summary.gapDetectionMedianQuestions)
        fields["gap_detection_precision"] = .number(summary.gapDetectionPrecision)
        let count: (Int?) -> JSONValue = { $0.map { .int($0) } ?? .null }
        fields["gap_detection_labels"] = count(summary.gapLabels)
        fields["gap_detection_labels_flagged"] = count(summary.gapLabelsFlagged)
        fields["gap_detection_labels_flagged_within_10"] = count(summary.gapLabelsFlaggedWithin10)
        fields["gap_detection_gaps_flagged"] = count(summary.gapsFlagged)
        fields["gap_detection_oos_gaps_flagged"] = count(summary.outOfScopeGapsFlagged)
        return .object(fields)
    }

    /// `resolution_rate`, `wrong_answer_rate`, `escalation_rate`, `oos_answered_rate` and counts, with a prefix.
    static func rateFields(_ rates: ReplayRates?, prefix: String) -> [String: JSONValue] {
        [
            prefix + "resolution_rate": .number(rates?.resolutionRate),
            prefix + "wrong_answer_rate": .number(rates?.wrongAnswerRate),
            prefix + "escalation_rate": .number(rates?.escalationRate),
            prefix + "oos_answered_rate": .number(rates?.outOfScopeAnsweredRate),
            prefix + "tickets": rates.map { .int($0.tickets) } ?? .null,
            prefix + "in_scope_tickets": rates.map { .int($0.inScope) } ?? .null,
            prefix + "answered": rates.map { .int($0.answered) } ?? .null,
            prefix + "wrong_answers": rates.map { .int($0.wrongAnswers) } ?? .null,
        ]
    }
}

extension ReplayReport.Week {
    var jsonValue: JSONValue {
        var fields = ReplayReport.rateFields(learning, prefix: "")
        fields.merge(ReplayReport.rateFields(baseline, prefix: "baseline_")) { a, _ in a }
        fields["week"] = .int(week)
        fields["from_day"] = .int(fromDay)
        fields["to_day"] = .int(toDay)
        fields["oracle_resolution_rate"] = .number(learning.oracleResolutionRate)
        fields["released_resolution_rate"] = .number(released?.resolutionRate)
        fields["other_resolution_rate"] = .number(others?.resolutionRate)
        fields["baseline_released_resolution_rate"] = .number(baselineReleased?.resolutionRate)
        fields["gap_detection_latency"] = .number(gapDetectionLatency)
        fields["gap_detection_precision"] = .number(gapDetectionPrecision)
        fields["ranker_weights"] = rankerWeights.map { .object($0.mapValues { .number($0) }) } ?? .null
        return .object(fields)
    }
}

extension ReplayReport.ReleasedLabel {
    var jsonValue: JSONValue {
        .object([
            "label": .string(label),
            "release_day": .int(releaseDay),
            "article_written_at_ticket": articleWrittenAtTicket.map { .int($0) } ?? .null,
            "questions_before_gap_flag": questionsBeforeGapFlag.map { .int($0) } ?? .null,
            "gap_flagged_day": gapFlaggedDay.map { .int($0) } ?? .null,
            "resolution_rate": .number(summary.resolutionRate),
            "tickets": .int(summary.tickets),
            "first_two_weeks": .object(["tickets": .int(firstTwoWeeks.tickets), "answered": .int(firstTwoWeeks.answered),
                                        "wrong_answers": .int(firstTwoWeeks.wrongAnswers),
                                        "resolution_rate": firstTwoWeeks.resolutionRate.map { .number($0) } ?? .null]),
        ])
    }
}

extension GapDetection.LabelFlag {
    var jsonValue: JSONValue {
        .object([
            "label": .string(label),
            "first_unanswered_day": .int(firstUnansweredDay),
            "questions_before_gap_flag": questionsBeforeFlag.map { .int($0) } ?? .null,
            "gap_flagged_day": flaggedDay.map { .int($0) } ?? .null,
        ])
    }
}

extension ReplayCalibration {
    /// `{"questions", "right", "expected_calibration_error", "score_auc", "lower_auc",
    /// "bins": [{"from", "to", "questions", "mean_score", "right_rate"}]}`.
    public var jsonValue: JSONValue {
        .object([
            "questions": .int(questions), "right": .int(right),
            "expected_calibration_error": .number(expectedCalibrationError),
            "score_auc": .number(scoreAUC), "lower_auc": .number(lowerAUC),
            "bins": .array(bins.map { bin in
                .object(["from": .number(bin.from), "to": .number(bin.to), "questions": .int(bin.questions),
                         "mean_score": .number(bin.meanScore), "right_rate": .number(bin.rightRate)])
            }),
        ])
    }
}

import Support
import Foundation

/// The figures of a replay — per week and over the last days — as the JSON
/// `{"summary": {…}, "weeks": […], "released_labels": […]}` that `--json`
/// writes, and as the Markdown table the command prints.
///
/// Gap-detection fields come from ``ReplayResult/gapDetection`` (definitions
/// in ``GapDetection``); they are `null` when the run kept no gaps, and their
/// keys are part of the format.
public struct ReplayReport: Sendable, Equatable {
    /// The run over the summary window (the last ``summaryDays`` days).
    public struct Summary: Sendable, Equatable {
        /// The window's first simulated day.
        public var fromDay: Int
        /// Its last: the run's last day.
        public var toDay: Int
        /// The learning run's rates over the window.
        public var learning: ReplayRates
        /// The baseline's over the same window, if it ran.
        public var baseline: ReplayRates?
        /// Median over the labels that had no article at some point (``GapDetection``'s tracked labels;
        /// the released labels when only ``ReplayResult/questionsBeforeGapFlag`` is known) of their
        /// questions asked up to their first gap flag, a never-flagged label counting as infinitely
        /// many; the whole run, not just the window. `nil`: no such label, or the median is never-flagged.
        public var gapDetectionMedianQuestions: Double?
        /// Questions reported by flagged gaps in the window that had no right answer when asked / all
        /// reported in the window (``GapDetection/precision(days:)``).
        public var gapDetectionPrecision: Double?
        /// Tracked labels: those with no article at some point.
        public var gapLabels: Int?
        /// How many of them gaps flagged.
        public var gapLabelsFlagged: Int?
        /// How many of them were flagged within 10 of their questions.
        public var gapLabelsFlaggedWithin10: Int?
        /// Gaps flagged over the whole run.
        public var gapsFlagged: Int?
        /// Flagged gaps whose label was out of scope.
        public var outOfScopeGapsFlagged: Int?
    }

    /// One simulated week (days `7w … 7w+6`).
    public struct Week: Sendable, Equatable {
        /// 1-based.
        public var week: Int
        /// The week's first simulated day.
        public var fromDay: Int
        /// Its last (earlier for a short last week).
        public var toDay: Int
        /// The learning run's rates.
        public var learning: ReplayRates
        /// The baseline's, if it ran.
        public var baseline: ReplayRates?
        /// Resolution on the held-back labels' questions (scenarios with releases) ...
        public var released: ReplayRates?
        /// ... and on the other labels'.
        public var others: ReplayRates?
        /// The baseline's resolution on the held-back labels' questions.
        public var baselineReleased: ReplayRates?
        /// Median questions before the first gap flag of the tracked labels whose first question without
        /// an article came this week (never flagged = infinitely many); `nil` when none or the median is never-flagged.
        public var gapDetectionLatency: Double?
        /// Questions reported by flagged gaps this week that had no right answer when asked (out of scope,
        /// or no article for their label) / all questions reported this week; `nil` when none was reported.
        public var gapDetectionPrecision: Double?
        /// The ranker's weights at the end of the week, when known.
        public var rankerWeights: [String: Double]?
    }

    /// A held-back label's story.
    public struct ReleasedLabel: Sendable, Equatable {
        /// The label.
        public var label: String
        /// The simulated day it was released.
        public var releaseDay: Int
        /// The ticket index at which an agent wrote its article, if one did.
        public var articleWrittenAtTicket: Int?
        /// Its questions asked up to its first gap flag, that one included; `nil`: never flagged (or no gaps kept).
        public var questionsBeforeGapFlag: Int?
        /// The simulated day of its first gap flag.
        public var gapFlaggedDay: Int?
        /// Resolution on its questions over the summary window.
        public var summary: ReplayRates
        /// Its questions in the 14 days from its release: how a new topic starts (docs/ROLLOUT.md).
        public var firstTwoWeeks: ReplayRates
    }

    /// The length of the summary window, in days.
    public static let summaryDays = 30

    /// Simulated days replayed.
    public var days: Int
    /// The summary window.
    public var summary: Summary
    /// Every simulated week, in order.
    public var weeks: [Week]
    /// The held-back labels, by release.
    public var releasedLabels: [ReleasedLabel]
    /// All held-back labels' questions in the 14 days from each one's release; nil without releases.
    /// It counts a new product's questions whichever topic they cite, so it includes the answers
    /// given under an established neighbour's topic.
    public var releasedFirstTwoWeeks: ReplayRates?
    /// The released topics' first two weeks: tickets whose cited (or suggested) article arrived
    /// during the run, in the 14 days from its arrival — how a new topic's conservative start
    /// does; nil when no article arrived.
    public var releasedTopicsFirstTwoWeeks: ReplayRates?
    /// Every label that had no article at some point, and when gaps flagged it (released labels included).
    public var gapLabels: [GapDetection.LabelFlag]
    /// Simulated outcomes the service refused (see ``ReplayResult/rejectedOutcomes``).
    public var rejectedOutcomes: Int
    /// See ``ReplayResult/solvedEvents``.
    public var solvedEvents: SolvedEventCount?
    /// See ``ReplayResult/rollout``.
    public var rollout: RolloutReport?
    /// The learning system at each frontier target, over the summary window; empty without `--frontier`.
    public var frontier: [FrontierPoint]
    /// How the learning run's P(resolved) matched what happened, over the summary window.
    public var calibration: ReplayCalibration

    /// Resolution and wrong answers at one wrong-answer target.
    public struct FrontierPoint: Sendable, Equatable {
        /// The target the policy learned for.
        public var target: Double
        /// The run's figures over the summary window.
        public var rates: ReplayRates
    }

    /// Counts a replay's records.
    public init(_ result: ReplayResult, summaryDays: Int = ReplayReport.summaryDays) {
        days = result.days
        rejectedOutcomes = result.rejectedOutcomes
        solvedEvents = result.solvedEvents
        rollout = result.rollout
        gapLabels = result.gapDetection?.labels ?? []
        let fromDay = max(0, result.days - summaryDays)
        summary = Self.summary(result, fromDay: fromDay)
        frontier = result.frontier.map { run in
            FrontierPoint(target: run.target, rates: ReplayRates(run.learning.lazy.filter { $0.day >= fromDay }))
        }
        calibration = ReplayCalibration(result.learning.lazy.filter { $0.day >= fromDay })
        weeks = Self.weeks(result)
        releasedLabels = Self.releasedLabels(result, fromDay: fromDay)
        let releaseDay = Dictionary(result.releases.map { ($0.label, $0.day) }, uniquingKeysWith: min)
        releasedFirstTwoWeeks = result.releases.isEmpty ? nil : ReplayRates(result.learning.lazy.filter { record in
            releaseDay[record.label].map { record.day >= $0 && record.day < $0 + 14 } ?? false
        })
        let arrivals = result.articleArrivals
        releasedTopicsFirstTwoWeeks = arrivals.isEmpty ? nil : ReplayRates(result.learning.lazy.filter { record in
            record.articleID.flatMap { arrivals[$0] }.map { record.day >= $0 && record.day < $0 + 14 } ?? false
        })
    }

    /// The summary window, days `fromDay` to the last.
    static func summary(_ result: ReplayResult, fromDay: Int) -> Summary {
        let inWindow: (ReplayRecord) -> Bool = { $0.day >= fromDay }
        let gapCounts = result.questionsBeforeGapFlag
        let detection = result.gapDetection
        return Summary(fromDay: fromDay, toDay: result.days - 1,
                       learning: ReplayRates(result.learning.lazy.filter(inWindow)),
                       baseline: result.baseline.map { ReplayRates($0.lazy.filter(inWindow)) },
                       gapDetectionMedianQuestions: detection.map { $0.medianQuestionsBeforeFlag() } ?? gapCounts.flatMap { counts in
                           Self.median(result.releases.compactMap { counts[$0.label] })
                       },
                       gapDetectionPrecision: detection?.precision(days: fromDay...max(fromDay, result.days - 1)),
                       gapLabels: detection?.labels.count,
                       gapLabelsFlagged: detection?.labels.filter { $0.questionsBeforeFlag != nil }.count,
                       gapLabelsFlaggedWithin10: detection?.labels.filter { ($0.questionsBeforeFlag ?? .max) <= 10 }.count,
                       gapsFlagged: detection?.gapsFlagged,
                       outOfScopeGapsFlagged: detection?.outOfScopeGaps)
    }

    /// Every simulated week of the run, the last one possibly short.
    static func weeks(_ result: ReplayResult) -> [Week] {
        let weekCount = (result.days + 6) / 7
        func byWeek(_ records: [ReplayRecord]) -> [[ReplayRecord]] {
            var weeks = Array(repeating: [ReplayRecord](), count: weekCount)
            for r in records where r.day >= 0 && r.day / 7 < weekCount { weeks[r.day / 7].append(r) }
            return weeks
        }
        let learningWeeks = byWeek(result.learning)
        let baselineWeeks = result.baseline.map(byWeek)
        let releasedSet = Set(result.releases.map(\.label))
        let detection = result.gapDetection
        return (0..<weekCount).map { w in
            let records = learningWeeks[w]
            let releasedThisWeek = result.releases.filter { $0.day / 7 == w }.map(\.label)
            let latency: Double? = if let detection {
                detection.medianQuestionsBeforeFlag(of: detection.labels.filter { $0.firstUnansweredDay / 7 == w })
            } else {
                result.questionsBeforeGapFlag.flatMap { counts in Self.median(releasedThisWeek.compactMap { counts[$0] }) }
            }
            return Week(
                week: w + 1, fromDay: 7 * w, toDay: min(7 * w + 6, result.days - 1),
                learning: ReplayRates(records),
                baseline: baselineWeeks.map { ReplayRates($0[w]) },
                released: releasedSet.isEmpty ? nil : ReplayRates(records.lazy.filter { releasedSet.contains($0.label) }),
                others: releasedSet.isEmpty ? nil : ReplayRates(records.lazy.filter { !releasedSet.contains($0.label) }),
                baselineReleased: releasedSet.isEmpty ? nil
                    : baselineWeeks.map { ReplayRates($0[w].lazy.filter { releasedSet.contains($0.label) }) },
                gapDetectionLatency: latency,
                gapDetectionPrecision: detection?.precision(days: (7 * w)...(7 * w + 6)),
                rankerWeights: result.weightsByWeek.flatMap { w < $0.count ? $0[w] : nil })
        }
    }

    /// Each held-back label's story, its resolution over the summary window from `fromDay`.
    static func releasedLabels(_ result: ReplayResult, fromDay: Int) -> [ReleasedLabel] {
        let detection = result.gapDetection
        let writtenAt = Dictionary(result.articlesWritten.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        return result.releases.map { release in
            ReleasedLabel(label: release.label, releaseDay: release.day, articleWrittenAtTicket: writtenAt[release.label],
                          questionsBeforeGapFlag: detection.map { $0.flag(for: release.label)?.questionsBeforeFlag }
                              ?? result.questionsBeforeGapFlag?[release.label],
                          gapFlaggedDay: detection?.flag(for: release.label)?.flaggedDay,
                          summary: ReplayRates(result.learning.lazy.filter { $0.label == release.label && $0.day >= fromDay }),
                          firstTwoWeeks: ReplayRates(result.learning.lazy.filter {
                              $0.label == release.label && $0.day >= release.day && $0.day < release.day + 14
                          }))
        }
    }

    static func median(_ values: [Int]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(), mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
    }
}

import Foundation

/// The figures of a replay — per week and over the last days — as the JSON
/// `{"summary": {…}, "weeks": […], "released_labels": […]}` that `--json`
/// writes, and as the Markdown table the command prints.
///
/// Gap-detection fields stay `null` until gap detection feeds
/// ``ReplayResult/questionsBeforeGapFlag``; their keys are part of the format.
public struct ReplayReport: Sendable, Equatable {
    /// The run over the summary window (the last ``summaryDays`` days).
    public struct Summary: Sendable, Equatable {
        public var fromDay: Int
        public var toDay: Int
        public var learning: ReplayRates
        public var baseline: ReplayRates?
        /// Median over released labels of their questions before the first gap flag.
        public var gapDetectionMedianQuestions: Double?
    }

    /// One simulated week (days `7w … 7w+6`).
    public struct Week: Sendable, Equatable {
        /// 1-based.
        public var week: Int
        public var fromDay: Int
        public var toDay: Int
        public var learning: ReplayRates
        public var baseline: ReplayRates?
        /// Resolution on the held-back labels' questions and on the others' (scenarios with releases).
        public var released: ReplayRates?
        public var others: ReplayRates?
        public var baselineReleased: ReplayRates?
        /// Median questions before the gap flag of labels released this week; `nil` until gaps land.
        public var gapDetectionLatency: Double?
        /// Flagged gaps that were real missing articles / flagged gaps; `nil` until gaps land.
        public var gapDetectionPrecision: Double?
        /// The ranker's weights at the end of the week, when known.
        public var rankerWeights: [String: Double]?
    }

    /// A held-back label's story.
    public struct ReleasedLabel: Sendable, Equatable {
        public var label: String
        public var releaseDay: Int
        /// The ticket index at which an agent wrote its article, if one did.
        public var articleWrittenAtTicket: Int?
        /// Its questions asked before the first escalation-cluster flag; `nil` until gaps land.
        public var questionsBeforeGapFlag: Int?
        /// Resolution on its questions over the summary window.
        public var summary: ReplayRates
    }

    /// The length of the summary window, in days.
    public static let summaryDays = 30

    public var days: Int
    public var summary: Summary
    public var weeks: [Week]
    public var releasedLabels: [ReleasedLabel]
    /// Simulated outcomes the service refused (see ``ReplayResult/rejectedOutcomes``).
    public var rejectedOutcomes: Int

    /// Counts a replay's records.
    public init(_ result: ReplayResult, summaryDays: Int = ReplayReport.summaryDays) {
        days = result.days
        rejectedOutcomes = result.rejectedOutcomes
        let fromDay = max(0, result.days - summaryDays)
        let inWindow: (ReplayRecord) -> Bool = { $0.day >= fromDay }
        let releasedSet = Set(result.releases.map(\.label))
        let gapCounts = result.questionsBeforeGapFlag

        summary = Summary(fromDay: fromDay, toDay: result.days - 1,
                          learning: ReplayRates(result.learning.lazy.filter(inWindow)),
                          baseline: result.baseline.map { ReplayRates($0.lazy.filter(inWindow)) },
                          gapDetectionMedianQuestions: gapCounts.flatMap { counts in
                              Self.median(result.releases.compactMap { counts[$0.label] })
                          })

        let weekCount = (result.days + 6) / 7
        func byWeek(_ records: [ReplayRecord]) -> [[ReplayRecord]] {
            var weeks = Array(repeating: [ReplayRecord](), count: weekCount)
            for r in records where r.day >= 0 && r.day / 7 < weekCount { weeks[r.day / 7].append(r) }
            return weeks
        }
        let learningWeeks = byWeek(result.learning)
        let baselineWeeks = result.baseline.map(byWeek)
        weeks = (0..<weekCount).map { w in
            let records = learningWeeks[w]
            let releasedThisWeek = result.releases.filter { $0.day / 7 == w }.map(\.label)
            return Week(
                week: w + 1, fromDay: 7 * w, toDay: min(7 * w + 6, result.days - 1),
                learning: ReplayRates(records),
                baseline: baselineWeeks.map { ReplayRates($0[w]) },
                released: releasedSet.isEmpty ? nil : ReplayRates(records.lazy.filter { releasedSet.contains($0.label) }),
                others: releasedSet.isEmpty ? nil : ReplayRates(records.lazy.filter { !releasedSet.contains($0.label) }),
                baselineReleased: releasedSet.isEmpty ? nil
                    : baselineWeeks.map { ReplayRates($0[w].lazy.filter { releasedSet.contains($0.label) }) },
                gapDetectionLatency: gapCounts.flatMap { counts in Self.median(releasedThisWeek.compactMap { counts[$0] }) },
                gapDetectionPrecision: nil,
                rankerWeights: result.weightsByWeek.flatMap { w < $0.count ? $0[w] : nil })
        }

        let writtenAt = Dictionary(result.articlesWritten.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        releasedLabels = result.releases.map { release in
            ReleasedLabel(label: release.label, releaseDay: release.day, articleWrittenAtTicket: writtenAt[release.label],
                          questionsBeforeGapFlag: gapCounts?[release.label],
                          summary: ReplayRates(result.learning.lazy.filter { $0.label == release.label && inWindow($0) }))
        }
    }

    static func median(_ values: [Int]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(), mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
    }
}

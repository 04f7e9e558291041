import Foundation

/// How well the service's knowledge gaps (`Support/Gaps`) found what the
/// knowledge base was missing during a replay, judged by the tickets' labels.
///
/// At the end of the learning run the runner reads every knowledge gap the
/// service kept — open and closed, with their questions' answer keys and
/// arrival times — and replays each gap's questions in arrival order. Reading
/// the open gaps only now and then would miss most of what matters: a gap on a
/// new product opens and closes between two reads, because the agent writes
/// the missing article on the label's third escalation and the article closes
/// the gap at once.
///
/// Definitions (the report's `gap_detection_*` fields and docs/REPLAY.md):
///
/// - A gap's **label** is the most frequent label among its questions so far
///   (a tie goes to the label whose question joined first); `oos` is a label
///   like any other here, but out-of-scope gaps are counted apart
///   (``outOfScopeGaps``) and never flag an in-scope label.
/// - A gap is **flagged** from the moment it holds ``flagQuestions`` questions
///   (3 by default); from then on, each time a question joins it the gap flags
///   its current label. A label is flagged the first time any gap flags it.
///   Questions a merge brought into a gap count from their own arrival (the
///   store keeps no per-gap history before a merge), which can only make a flag
///   earlier by the questions the merge united.
/// - The **tracked labels** are the in-scope labels that had no article at some
///   point: a question of theirs was asked while no article answered them (the
///   held-back labels of `--initial-kb` and `--scenario product-updates`, and
///   labels the articles file has no article for).
/// - A tracked label's **questions before flag** is how many of its questions
///   had been asked when it was first flagged, the question that completed the
///   flag included; `nil` when it was never flagged.
/// - **Precision**: a question is *reported* when its gap is flagged — at its
///   own arrival, or, for the questions that came before, when the gap reached
///   ``flagQuestions``. Precision over some days is the fraction of the
///   questions reported in those days that had no right answer in the
///   knowledge base when they were asked: out of scope, or their label had no
///   article then (``ReplayRecord/answerable`` false). The rest are questions
///   an article existed for, clustered because retrieval or the policy missed it.
public struct GapDetection: Sendable, Equatable {
    /// A tracked label and when it was flagged.
    public struct LabelFlag: Sendable, Equatable {
        /// The label.
        public var label: String
        /// The day its first question without an article was asked.
        public var firstUnansweredDay: Int
        /// Its questions asked up to its first flag, that one included; `nil`: never flagged.
        public var questionsBeforeFlag: Int?
        /// The simulated day of its first flag.
        public var flaggedDay: Int?

        /// A label's flag record.
        public init(label: String, firstUnansweredDay: Int, questionsBeforeFlag: Int?, flaggedDay: Int?) {
            self.label = label
            self.firstUnansweredDay = firstUnansweredDay
            self.questionsBeforeFlag = questionsBeforeFlag
            self.flaggedDay = flaggedDay
        }
    }

    /// One question of a flagged gap, when it was reported and whether it was a real hole.
    public struct ReportedQuestion: Sendable, Equatable {
        /// The simulated day it was reported.
        public var day: Int
        /// Out of scope, or no article answered its label when it was asked.
        public var unanswerable: Bool

        /// A reported question.
        public init(day: Int, unanswerable: Bool) {
            self.day = day
            self.unanswerable = unanswerable
        }
    }

    /// A gap as the service's store holds it at the end of a run.
    public struct ObservedGap: Sendable, Equatable {
        /// One of its questions: the answer (impression) it came from, and when it joined.
        public struct Question: Sendable, Equatable {
            /// The answer it came from (nil for one not from the ask path).
            public var answerKey: Int64?
            /// When it joined the gap.
            public var at: Date

            /// A question of an observed gap.
            public init(answerKey: Int64?, at: Date) {
                self.answerKey = answerKey
                self.at = at
            }
        }

        /// The gap's id in the store.
        public var id: Int64
        /// In arrival order.
        public var questions: [Question]

        /// A gap as read from the store.
        public init(id: Int64, questions: [Question]) {
            self.id = id
            self.questions = questions
        }
    }

    /// The questions a gap needs to be flagged.
    public static let defaultFlagQuestions = 3

    /// The questions a gap needed to be flagged.
    public var flagQuestions: Int
    /// The tracked labels, by the day they first lacked an article, then by name.
    public var labels: [LabelFlag]
    /// Every question of a flagged gap, in the order they were reported.
    public var reported: [ReportedQuestion]
    /// Gaps that were flagged at some point.
    public var gapsFlagged: Int
    /// Flagged gaps whose label was out of scope when they were flagged.
    public var outOfScopeGaps: Int

    /// A measurement already counted (tests build them by hand).
    public init(flagQuestions: Int = GapDetection.defaultFlagQuestions, labels: [LabelFlag], reported: [ReportedQuestion],
                gapsFlagged: Int, outOfScopeGaps: Int) {
        self.flagQuestions = flagQuestions
        self.labels = labels
        self.reported = reported
        self.gapsFlagged = gapsFlagged
        self.outOfScopeGaps = outOfScopeGaps
    }

    /// Measures gap detection in one run.
    /// - Parameters:
    ///   - gaps: the run's knowledge gaps (open and closed), questions in arrival order.
    ///   - records: the run's records in stream order (`records[i].index == i`).
    ///   - askedAt: when each record's question was asked, in stream order.
    ///   - ticketByAnswerKey: the answer (impression) key of each asked ticket → its stream position.
    ///   - startDate: day 0's start, to turn times into days.
    ///   - flagQuestions: the questions a gap needs to be flagged.
    public init(gaps: [ObservedGap], records: [ReplayRecord], askedAt: [Date], ticketByAnswerKey: [Int64: Int], startDate: Date,
                flagQuestions: Int = GapDetection.defaultFlagQuestions) {
        self.flagQuestions = flagQuestions
        func day(_ date: Date) -> Int { Int((date.timeIntervalSince(startDate) / 86_400).rounded(.down)) }

        var firstFlag: [String: Date] = [:]
        var reported: [(at: Date, order: Int, question: ReportedQuestion)] = []
        var flaggedGaps = 0, oosGaps = 0
        for gap in gaps {
            var counts: [String: Int] = [:]
            var firstSeen: [String: Int] = [:]
            var positions: [Int?] = []
            var isFlagged = false, outOfScope = false
            for (i, question) in gap.questions.enumerated() {
                let position = question.answerKey.flatMap { ticketByAnswerKey[$0] }.flatMap { $0 < records.count ? $0 : nil }
                positions.append(position)
                let label = position.map { records[$0].label } ?? Self.unknownLabel
                counts[label, default: 0] += 1
                if firstSeen[label] == nil { firstSeen[label] = i }
                guard i + 1 >= flagQuestions else { continue }
                let newly = isFlagged ? i...i : 0...i
                for j in newly {
                    guard let p = positions[j] else { continue }
                    reported.append((question.at, reported.count,
                                     ReportedQuestion(day: day(question.at), unanswerable: !records[p].answerable)))
                }
                if !isFlagged { isFlagged = true; flaggedGaps += 1 }
                let top = counts.max { a, b in a.value != b.value ? a.value < b.value : firstSeen[a.key]! > firstSeen[b.key]! }!.key
                if top == ReplayDataset.outOfScopeLabel {
                    if !outOfScope { outOfScope = true; oosGaps += 1 }
                } else if top != Self.unknownLabel, firstFlag[top].map({ question.at < $0 }) ?? true {
                    firstFlag[top] = question.at
                }
            }
        }
        gapsFlagged = flaggedGaps
        outOfScopeGaps = oosGaps
        self.reported = reported.sorted { ($0.at, $0.order) < ($1.at, $1.order) }.map(\.question)

        var asked: [String: [Date]] = [:]
        var firstUnanswered: [String: Int] = [:]
        for (position, record) in records.enumerated() where record.inScope {
            if position < askedAt.count { asked[record.label, default: []].append(askedAt[position]) }
            if !record.answerable && firstUnanswered[record.label] == nil { firstUnanswered[record.label] = record.day }
        }
        labels = firstUnanswered.map { label, firstDay in
            let flag = firstFlag[label]
            // Times are stored with limited precision; a question asked at the flag's instant counts.
            let count = flag.map { at in asked[label, default: []].filter { $0 <= at.addingTimeInterval(0.001) }.count }
            return LabelFlag(label: label, firstUnansweredDay: firstDay, questionsBeforeFlag: count, flaggedDay: flag.map(day))
        }.sorted { ($0.firstUnansweredDay, $0.label) < ($1.firstUnansweredDay, $1.label) }
    }

    /// The label of a gap question the replay did not ask (no known answer key).
    static let unknownLabel = "\u{0}unknown"

    /// The tracked label named `label`, if it is one.
    public func flag(for label: String) -> LabelFlag? { labels.first { $0.label == label } }

    /// The fraction of questions reported on `days` that had no right answer when asked; `nil` when none was reported.
    public func precision(days: ClosedRange<Int>) -> Double? {
        let inRange = reported.filter { days.contains($0.day) }
        guard !inRange.isEmpty else { return nil }
        return Double(inRange.filter(\.unanswerable).count) / Double(inRange.count)
    }

    /// The median questions before flag of `labels` (all tracked labels by default), a never-flagged label
    /// counting as infinitely many: `nil` when there is none, or when the median falls on a never-flagged one.
    public func medianQuestionsBeforeFlag(of labels: [LabelFlag]? = nil) -> Double? {
        Self.median((labels ?? self.labels).map(\.questionsBeforeFlag))
    }

    /// The median of counts where `nil` is +∞; `nil` for no values or an infinite median.
    static func median(_ values: [Int?]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted { a, b in
            switch (a, b) {
            case let (x?, y?): x < y
            case (.some, nil): true
            default: false
            }
        }
        let mid = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[mid].map(Double.init) }
        guard let low = sorted[mid - 1], let high = sorted[mid] else { return nil }
        return Double(low + high) / 2
    }
}

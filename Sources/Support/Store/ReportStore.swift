import Foundation

/// The span one row of a report covers.
public enum ReportPeriod: String, Codable, Sendable, CaseIterable {
    /// A UTC calendar day, labelled `2025-03-04`.
    case day
    /// An ISO 8601 week (Monday to Sunday, UTC), labelled `2025-W10`.
    case week
}

/// What became of the questions asked in one period or on one topic, counted
/// by the store. The rates are in ``AnswerRates``.
public struct AnswerTally: Codable, Sendable, Equatable {
    /// Questions asked.
    public var asked = 0
    /// Questions the service answered itself (`decision = answer`).
    public var answered = 0
    /// Questions handed to a person: escalated by the policy, or answered and then
    /// escalated by the customer (`outcome = escalated`).
    public var escalated = 0
    /// Answered by the service and resolved, not taken back: autonomous resolutions.
    public var resolved = 0
    /// Answers resolved and later reopened.
    public var reopened = 0
    /// Questions an agent corrected (with an article or a reply).
    public var corrected = 0
    /// Answered by the service, then reopened or corrected with another answer.
    public var wrong = 0
    /// Answered by the service without an outcome yet.
    public var pending = 0
    /// The sum of the CSAT ratings given (1–5 each), for the mean.
    public var csatSum = 0
    /// How many CSAT ratings were given.
    public var csatCount = 0
    /// How many of them were satisfied (4 or 5 of 5): the share the roll-out report calls CSAT.
    public var csatSatisfied = 0

    /// A tally of the given counts (zero where left out).
    public init(asked: Int = 0, answered: Int = 0, escalated: Int = 0, resolved: Int = 0, reopened: Int = 0,
                corrected: Int = 0, wrong: Int = 0, pending: Int = 0, csatSum: Int = 0, csatCount: Int = 0,
                csatSatisfied: Int = 0) {
        self.asked = asked
        self.answered = answered
        self.escalated = escalated
        self.resolved = resolved
        self.reopened = reopened
        self.corrected = corrected
        self.wrong = wrong
        self.pending = pending
        self.csatSum = csatSum
        self.csatCount = csatCount
        self.csatSatisfied = csatSatisfied
    }

    /// The sum of two tallies.
    public static func + (a: Self, b: Self) -> Self {
        Self(asked: a.asked + b.asked, answered: a.answered + b.answered, escalated: a.escalated + b.escalated,
             resolved: a.resolved + b.resolved, reopened: a.reopened + b.reopened, corrected: a.corrected + b.corrected,
             wrong: a.wrong + b.wrong, pending: a.pending + b.pending, csatSum: a.csatSum + b.csatSum,
             csatCount: a.csatCount + b.csatCount, csatSatisfied: a.csatSatisfied + b.csatSatisfied)
    }
}

/// A tally of one period.
public struct PeriodTally: Sendable, Equatable {
    /// `2025-03-04` or `2025-W10`.
    public var period: String
    /// The period's first day, `YYYY-MM-DD` (UTC).
    public var start: String
    /// What became of the period's questions.
    public var tally: AnswerTally

    /// A period's tally.
    public init(period: String, start: String, tally: AnswerTally) {
        self.period = period
        self.start = start
        self.tally = tally
    }
}

/// How many questions on one topic were asked in one period.
public struct TopicVolume: Sendable, Equatable {
    /// The best candidate's topic, or ``SupportReports/noTopic``.
    public var topic: String
    /// A period label as in ``PeriodTally/period``.
    public var period: String
    /// Questions asked on the topic in the period.
    public var count: Int

    /// A topic's count in one period.
    public init(topic: String, period: String, count: Int) {
        self.topic = topic
        self.period = period
        self.count = count
    }
}

/// Counts of answers per confidence bin on one topic.
public struct ConfidenceBinCount: Sendable, Equatable {
    /// The best candidate's topic, or ``SupportReports/noTopic``.
    public var topic: String
    /// 0 ..< bins: `score` (or `lower`) in `[bin/bins, (bin+1)/bins)`, 1.0 in the last bin.
    public var bin: Int
    /// Answers whose `score` fell in the bin.
    public var scores: Int
    /// Answers whose `lower` bound fell in the bin.
    public var lowers: Int

    /// A topic's counts in one bin.
    public init(topic: String, bin: Int, scores: Int, lowers: Int) {
        self.topic = topic
        self.bin = bin
        self.scores = scores
        self.lowers = lowers
    }
}

/// A question as the insights read it.
public struct AskedQuestion: Sendable, Equatable {
    /// The answer's store key.
    public var key: Int64
    /// The question as asked.
    public var text: String
    /// The best candidate's topic, if there was a candidate.
    public var topic: String?
    /// What the service decided.
    public var decision: Decision
    /// When it was asked.
    public var createdAt: Date

    /// A question as read from the store.
    public init(key: Int64, text: String, topic: String?, decision: Decision, createdAt: Date) {
        self.key = key
        self.text = text
        self.topic = topic
        self.decision = decision
        self.createdAt = createdAt
    }
}

/// One answer in key order, for a reader that resumes from the last key it saw.
public struct AnswerEvent: Sendable, Equatable {
    /// The answer's store key: the cursor a reader resumes from.
    public var key: Int64
    /// What the service decided.
    public var decision: Decision
    /// The best candidate's P(resolved), for the score histogram.
    public var score: Double

    /// An answer as read from the store.
    public init(key: Int64, decision: Decision, score: Double) {
        self.key = key
        self.decision = decision
        self.score = score
    }
}

/// One outcome in sequence order, for a reader that resumes from the last sequence it saw.
public struct OutcomeEvent: Sendable, Equatable {
    /// The outcome's place in the store: the cursor a reader resumes from.
    public var sequence: Int64
    /// What happened.
    public var kind: OutcomeKind

    /// An outcome as read from the store.
    public init(sequence: Int64, kind: OutcomeKind) {
        self.sequence = sequence
        self.kind = kind
    }
}

/// The queries behind the reports, the insights and `/metrics`: a part of
/// ``SupportStore``, read by ``SupportReports`` and ``Insights``. ``SQLiteStore``
/// answers them in SQL (`SQLiteStore-Reports.swift`); another store implements
/// the same few aggregates. Every range is `since ..< until` on `answers.created_at`.
/// Answers without a topic are counted under ``SupportReports/noTopic``.
public protocol ReportStore: Sendable {
    /// Tallies per period, oldest first; periods without questions are absent.
    func tallies(by period: ReportPeriod, since: Date, until: Date) throws -> [PeriodTally]
    /// Tallies per topic.
    func topicTallies(since: Date, until: Date) throws -> [(topic: String, tally: AnswerTally)]
    /// Question counts per topic and period; absent where zero.
    func topicVolumes(by period: ReportPeriod, since: Date, until: Date) throws -> [TopicVolume]
    /// Counts of `score` and `lower` in `bins` equal bins of [0, 1], per topic; absent where zero.
    func confidenceBins(_ bins: Int, since: Date, until: Date) throws -> [ConfidenceBinCount]
    /// Questions asked in the range, newest first, at most `limit`.
    func questions(since: Date, until: Date, limit: Int) throws -> [AskedQuestion]
    /// Answers with a key above `key`, in key order, at most `limit`.
    func answerEvents(after key: Int64, limit: Int) throws -> [AnswerEvent]
    /// Outcomes with a sequence above `sequence`, in order, at most `limit`.
    func outcomeEvents(after sequence: Int64, limit: Int) throws -> [OutcomeEvent]
    /// The running counters the store keeps as it writes: a read that costs the same whatever its history.
    func counters() throws -> StoreCounters
}

/// What the store has counted since it was created, kept as it writes (not counted per read):
/// what `GET /metrics` and `GET /v1/health` report.
public struct StoreCounters: Sendable, Equatable {
    /// Answers recorded (every question asked).
    public var asks = 0
    /// … the service answered itself.
    public var answered = 0
    /// … it escalated.
    public var escalated = 0
    /// Outcomes recorded, by kind.
    public var outcomes: [OutcomeKind: Int] = [:]
    /// Answers whose score falls in each bucket of ``scoreBucketBounds`` (not cumulative); the last
    /// entry counts scores above 1.
    public var scoreBuckets: [Int] = Array(repeating: 0, count: StoreCounters.scoreBucketBounds.count + 1)
    /// The sum of every answer's score.
    public var scoreSum = 0.0
    /// Core operations queued and not yet acknowledged.
    public var outboxPending = 0
    /// Open clusters, by kind.
    public var openGaps: [GapKind: Int] = [:]

    /// The upper bounds of the score buckets: 0.1, 0.2, … 1.0.
    public static let scoreBucketBounds: [Double] = (1...10).map { Double($0) / 10 }

    /// Zero everywhere: a new store.
    public init() {}
}

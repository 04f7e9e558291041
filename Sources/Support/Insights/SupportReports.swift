import Foundation

/// The rates of an ``AnswerTally``; each is `nil` when its denominator is zero.
public struct AnswerRates: Sendable, Equatable {
    /// Autonomous resolutions of all questions asked.
    public var resolution: Double?
    /// Questions handed to a person, of all asked.
    public var escalation: Double?
    /// Reopened resolutions, of all resolutions (kept or taken back).
    public var reopen: Double?
    /// Wrong answers, of the questions the service answered.
    public var wrong: Double?
    /// Mean CSAT (1–5).
    public var csat: Double?

    /// The rates of `tally`.
    public init(_ tally: AnswerTally) {
        func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        resolution = ratio(tally.resolved, tally.asked)
        escalation = ratio(tally.escalated, tally.asked)
        reopen = ratio(tally.reopened, tally.resolved + tally.reopened)
        wrong = ratio(tally.wrong, tally.answered)
        csat = ratio(tally.csatSum, tally.csatCount)
    }
}

/// One row of a report: a period or a topic with its counts and rates.
///
/// JSON: `{"period" | "topic", "start"?, "asked", "answered", "escalated", "resolved",
/// "reopened", "corrected", "wrong", "pending", "csat_count", "csat_mean",
/// "resolution_rate", "escalation_rate", "reopen_rate", "wrong_rate"}`; a rate
/// without a denominator is `null`.
public struct ReportRow: Encodable, Sendable, Equatable {
    /// A period label (`2025-03-04`, `2025-W10`), a topic, or `total`.
    public var name: String
    /// The period's first day, for period rows.
    public var start: String?
    /// The counts.
    public var tally: AnswerTally
    /// The rates of those counts.
    public var rates: AnswerRates
    /// `period` or `topic`: the JSON key `name` is written under.
    var nameKey: String

    init(name: String, nameKey: String, start: String? = nil, tally: AnswerTally) {
        self.name = name
        self.nameKey = nameKey
        self.start = start
        self.tally = tally
        self.rates = AnswerRates(tally)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Writes the row's JSON: `name` under `period` or `topic`, and rates `null` without a denominator.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: Key(nameKey))
        if let start { try c.encode(start, forKey: Key("start")) }
        let counts: [(String, Int)] = [("asked", tally.asked), ("answered", tally.answered), ("escalated", tally.escalated),
                                       ("resolved", tally.resolved), ("reopened", tally.reopened), ("corrected", tally.corrected),
                                       ("wrong", tally.wrong), ("pending", tally.pending), ("csat_count", tally.csatCount)]
        for (key, value) in counts { try c.encode(value, forKey: Key(key)) }
        let rates: [(String, Double?)] = [("csat_mean", self.rates.csat), ("resolution_rate", self.rates.resolution),
                                          ("escalation_rate", self.rates.escalation), ("reopen_rate", self.rates.reopen),
                                          ("wrong_rate", self.rates.wrong)]
        for (key, value) in rates { try c.encode(value, forKey: Key(key)) }
    }
}

/// `GET /v1/reports/resolution`: the learning curve, one row per day or ISO week.
public struct ResolutionReport: Encodable, Sendable, Equatable {
    /// Days or ISO weeks.
    public var by: ReportPeriod
    /// The range's start: UTC midnight of its first day.
    public var since: Date
    /// The range's end (now, exclusive).
    public var until: Date
    /// Every period of the range, oldest first, including those without questions.
    public var periods: [ReportRow]
    /// The whole range in one row, named `total`.
    public var total: ReportRow
}

/// `GET /v1/reports/topics`: escalation and the other rates per topic, busiest first.
public struct TopicReport: Encodable, Sendable, Equatable {
    /// The range's start: UTC midnight of its first day.
    public var since: Date
    /// The range's end (now, exclusive).
    public var until: Date
    /// One row per topic, busiest first.
    public var topics: [ReportRow]
}

/// `GET /v1/reports/confidence`: histograms of the ranker's `score` and of its
/// lower bound `lower`, over all answers and per topic.
public struct ConfidenceReport: Encodable, Sendable, Equatable {
    /// One histogram pair.
    public struct Histogram: Encodable, Sendable, Equatable {
        /// The topic, or `all`.
        public var topic: String
        /// Answers counted (each once, by its score).
        public var count: Int
        /// Counts per bin of ``ConfidenceReport/edges``.
        public var score: [Int]
        /// Counts of `lower` per bin.
        public var lower: [Int]
    }

    /// The range's start: UTC midnight of its first day.
    public var since: Date
    /// The range's end (now, exclusive).
    public var until: Date
    /// Bin edges, `bins + 1` values from 0 to 1.
    public var edges: [Double]
    /// Every answer of the range, topic `all`.
    public var overall: Histogram
    /// Busiest first.
    public var topics: [Histogram]
}

/// The metrics over time: autonomous resolution, escalation per topic, reopens,
/// CSAT, confidence distributions and wrong answers, by day and by ISO week,
/// from a ``ReportStore``.
///
/// ```swift
/// let reports = SupportReports(store: sqliteStore, clock: SystemClock())
/// let curve = try reports.resolution(by: .week, days: 84)
/// ```
public struct SupportReports: Sendable {
    /// The topic name of answers that had no candidate article.
    public static let noTopic = "(none)"

    /// Where the counts are read.
    public let store: any ReportStore
    /// What "now" is: the end of every range.
    public let clock: any SupportClock

    /// Reports over `store`.
    public init(store: any ReportStore, clock: any SupportClock) {
        self.store = store
        self.clock = clock
    }

    /// The range of the last `days` days, ending now; the start is the UTC midnight `days - 1` days ago.
    public func range(days: Int) -> (since: Date, until: Date) {
        let until = clock.now
        let today = Self.utc.startOfDay(for: until)
        let since = Self.utc.date(byAdding: .day, value: -(max(1, days) - 1), to: today) ?? today
        return (since, until.addingTimeInterval(0.001))
    }

    /// The learning curve over the last `days` days.
    /// - Returns: every day (or ISO week touching the range) oldest first, with zero rows where nothing was asked.
    /// - Throws: the store's errors.
    public func resolution(by period: ReportPeriod, days: Int) throws -> ResolutionReport {
        let (since, until) = range(days: days)
        let stored = Dictionary(try store.tallies(by: period, since: since, until: until).map { ($0.period, $0) },
                                uniquingKeysWith: { a, _ in a })
        var rows: [ReportRow] = []
        var total = AnswerTally()
        for (label, start) in Self.periods(period, since: since, until: until) {
            let tally = stored[label]?.tally ?? AnswerTally()
            total = total + tally
            rows.append(ReportRow(name: label, nameKey: "period", start: start, tally: tally))
        }
        return ResolutionReport(by: period, since: since, until: until, periods: rows,
                                total: ReportRow(name: "total", nameKey: "period", tally: total))
    }

    /// Rates per topic over the last `days` days, busiest first.
    public func topics(days: Int) throws -> TopicReport {
        let (since, until) = range(days: days)
        let rows = try store.topicTallies(since: since, until: until).map { ReportRow(name: $0.topic, nameKey: "topic", tally: $0.tally) }
        return TopicReport(since: since, until: until, topics: rows)
    }

    /// Confidence histograms over the last `days` days with `bins` equal bins of [0, 1] (clamped to 2…50).
    public func confidence(days: Int, bins: Int = 10) throws -> ConfidenceReport {
        let bins = min(50, max(2, bins))
        let (since, until) = range(days: days)
        var perTopic: [String: ConfidenceReport.Histogram] = [:]
        var overall = ConfidenceReport.Histogram(topic: "all", count: 0, score: Array(repeating: 0, count: bins),
                                                 lower: Array(repeating: 0, count: bins))
        for cell in try store.confidenceBins(bins, since: since, until: until) where (0..<bins).contains(cell.bin) {
            var h = perTopic[cell.topic] ?? ConfidenceReport.Histogram(topic: cell.topic, count: 0, score: Array(repeating: 0, count: bins),
                                                                        lower: Array(repeating: 0, count: bins))
            h.score[cell.bin] += cell.scores
            h.lower[cell.bin] += cell.lowers
            h.count += cell.scores
            overall.score[cell.bin] += cell.scores
            overall.lower[cell.bin] += cell.lowers
            overall.count += cell.scores
            perTopic[cell.topic] = h
        }
        let topics = perTopic.values.sorted { ($0.count, $1.topic) > ($1.count, $0.topic) }
        return ConfidenceReport(since: since, until: until, edges: (0...bins).map { Double($0) / Double(bins) },
                                overall: overall, topics: topics)
    }

    // MARK: Periods

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `YYYY-MM-DD` of `date` in UTC.
    public static func dayLabel(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// `YYYY-Www` of the ISO week holding `date` (UTC), as the SQL of ``SQLiteStore`` names it.
    public static func weekLabel(_ date: Date) -> String {
        let c = utc.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
    }

    /// The label of the period holding `date`.
    public static func label(_ date: Date, _ period: ReportPeriod) -> String {
        period == .day ? dayLabel(date) : weekLabel(date)
    }

    /// Every period touching `since ..< until`, oldest first, with its first day.
    public static func periods(_ period: ReportPeriod, since: Date, until: Date) -> [(label: String, start: String)] {
        var start = utc.startOfDay(for: since)
        if period == .week {
            start = utc.dateInterval(of: .weekOfYear, for: start)?.start ?? start
        }
        var out: [(String, String)] = []
        while start < until, out.count < 5_000 {
            out.append((label(start, period), dayLabel(start)))
            start = utc.date(byAdding: period == .day ? .day : .weekOfYear, value: 1, to: start) ?? until
        }
        return out
    }
}

extension SupportService {
    /// Reports over this service's store and clock.
    public var reports: SupportReports {
        SupportReports(store: store, clock: clock)
    }
}

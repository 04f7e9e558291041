import Foundation

/// A topic asked about far more than usual in the current day or ISO week.
public struct TopicSpike: Codable, Sendable, Equatable {
    /// The topic (the best candidates' topic), or ``SupportReports/noTopic``.
    public var topic: String
    /// `day` or `week`.
    public var period: ReportPeriod
    /// The current period's label (`2025-03-04`, `2025-W10`).
    public var label: String
    /// Questions on the topic in the current period (so far).
    public var count: Int
    /// The mean of the topic's counts over the baseline periods.
    public var baselineMean: Double
    /// The population standard deviation of those counts.
    public var baselineSD: Double
    /// The count the current period had to exceed: mean + k · max(sd, 1).
    public var threshold: Double

    enum CodingKeys: String, CodingKey {
        case topic, period, label, count, threshold
        case baselineMean = "baseline_mean", baselineSD = "baseline_sd"
    }
}

/// A knowledge gap or bug cluster that keeps coming back: open, with questions in several ISO weeks.
public struct RecurringCluster: Codable, Sendable, Equatable {
    /// The cluster's id (``Gap/id``).
    public var gapID: Int64
    /// `gap` or `bug`.
    public var kind: String
    /// The cluster's suggested title.
    public var title: String
    /// Questions in the cluster, all time.
    public var count: Int
    /// ISO weeks of its trend with at least one question.
    public var weeks: [String]
    /// When its first question arrived.
    public var firstSeen: Date
    /// When its latest question arrived.
    public var lastSeen: Date
    /// Example questions, newest first.
    public var questions: [String]

    enum CodingKeys: String, CodingKey {
        case kind, title, count, weeks, questions
        case gapID = "gap_id", firstSeen = "first_seen", lastSeen = "last_seen"
    }
}

/// Questions that ask for the same missing feature.
public struct FeatureRequestCluster: Codable, Sendable, Equatable {
    /// The cluster's most frequent content words.
    public var title: String
    /// Requests in the cluster.
    public var count: Int
    /// The topics (nearest articles' topics) its questions were ranked under, busiest first.
    public var topics: [String]
    /// The newest questions first.
    public var questions: [String]
    /// When its oldest request was asked.
    public var firstSeen: Date
    /// When its newest request was asked.
    public var lastSeen: Date

    enum CodingKeys: String, CodingKey {
        case title, count, topics, questions
        case firstSeen = "first_seen", lastSeen = "last_seen"
    }
}

/// `GET /v1/insights`: `{"generated_at", "spikes", "recurring", "feature_requests"}`.
public struct InsightsReport: Codable, Sendable, Equatable {
    /// When the report was made (the service's clock).
    public var generatedAt: Date
    /// Daily spikes first, then weekly; largest excess first within each.
    public var spikes: [TopicSpike]
    /// Open gaps and bug clusters seen in several weeks, most weeks first.
    public var recurring: [RecurringCluster]
    /// Clusters of feature requests, largest first.
    public var featureRequests: [FeatureRequestCluster]

    enum CodingKeys: String, CodingKey {
        case spikes, recurring
        case generatedAt = "generated_at", featureRequests = "feature_requests"
    }
}

/// Settings of ``Insights``.
public struct InsightsConfiguration: Sendable, Equatable {
    /// A spike exceeds the baseline mean by this many standard deviations (at least 1 question each) ...
    public var spikeK = 3.0
    /// ... and has at least this many questions.
    public var spikeMinCount = 5
    /// The daily spikes' baseline: the days before the current one ...
    public var baselineDays = 28
    /// ... and the weekly spikes': the ISO weeks before the current one.
    public var baselineWeeks = 8
    /// Fewer periods of history than this (since the first question at all) and no spike is called.
    public var minBaselinePeriods = 3
    /// A gap is recurring when its trend has questions in at least this many ISO weeks.
    public var recurringWeeks = 2
    /// Feature requests are looked for among the questions of this many days ...
    public var featureRequestDays = 28
    /// ... at most this many of them, newest first.
    public var featureRequestScan = 5_000
    /// A request joins a cluster when its content words and the cluster's first
    /// request's overlap at least this much (shared words / the smaller set).
    public var featureRequestSimilarity = 0.5
    /// Clusters smaller than this are not reported.
    public var featureRequestMinCount = 2
    /// Example questions per cluster.
    public var examples = 5

    /// The defaults: 3 σ over 28 days or 8 weeks, 5 questions at least.
    public init() {}
}

/// What the questions say beyond the rates: topic volume spikes against each
/// topic's own baseline, knowledge gaps that keep recurring across weeks, and
/// clusters of feature requests.
///
/// Recurring clusters are read from the gap tracker's ``Gap`` values handed to
/// ``report(gaps:)``: the caller lists the open gaps and bug clusters; with
/// none given, `recurring` is empty.
public struct Insights: Sendable {
    /// Where the questions and their counts are read.
    public let store: any ReportStore
    /// What "now" is: the end of every period and window.
    public let clock: any SupportClock
    /// Thresholds and windows.
    public var configuration: InsightsConfiguration

    /// Insights over `store`.
    public init(store: any ReportStore, clock: any SupportClock, configuration: InsightsConfiguration = InsightsConfiguration()) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
    }

    /// All insights now.
    /// - Parameter gaps: the open gaps and bug clusters, for ``RecurringCluster``s.
    /// - Throws: the store's errors.
    public func report(gaps: [Gap] = []) throws -> InsightsReport {
        InsightsReport(generatedAt: clock.now, spikes: try spikes(.day) + spikes(.week), recurring: recurring(gaps),
                       featureRequests: try featureRequests())
    }

    // MARK: Spikes

    /// Topics whose count in the current period exceeds their own baseline.
    public func spikes(_ period: ReportPeriod) throws -> [TopicSpike] {
        let now = clock.now
        let calendar = SupportReports.utc
        let length = period == .day ? configuration.baselineDays : configuration.baselineWeeks
        let unit: Calendar.Component = period == .day ? .day : .weekOfYear
        let currentStart = period == .day ? calendar.startOfDay(for: now)
                                          : calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let since = calendar.date(byAdding: unit, value: -length, to: currentStart) ?? currentStart
        let labels = SupportReports.periods(period, since: since, until: now.addingTimeInterval(0.001)).map(\.label)
        guard let current = labels.last else { return [] }
        let volumes = try store.topicVolumes(by: period, since: since, until: now.addingTimeInterval(0.001))
        // History starts at the first period with any question: before it, zeros are not evidence.
        let active = Set(volumes.map(\.period))
        guard let firstActive = labels.firstIndex(where: active.contains) else { return [] }
        let baselineLabels = Array(labels[firstActive..<(labels.count - 1)])
        guard baselineLabels.count >= configuration.minBaselinePeriods else { return [] }
        var byTopic: [String: [String: Int]] = [:]
        for v in volumes { byTopic[v.topic, default: [:]][v.period] = v.count }
        var out: [TopicSpike] = []
        for (topic, counts) in byTopic {
            let count = counts[current] ?? 0
            let (mean, sd) = Self.meanAndSD(baselineLabels.map { Double(counts[$0] ?? 0) })
            let threshold = mean + configuration.spikeK * max(sd, 1)
            if count >= configuration.spikeMinCount, Double(count) > threshold {
                out.append(TopicSpike(topic: topic, period: period, label: current, count: count, baselineMean: mean,
                                      baselineSD: sd, threshold: threshold))
            }
        }
        return out.sorted { (Double($0.count) - $0.threshold, $1.topic) > (Double($1.count) - $1.threshold, $0.topic) }
    }

    /// The mean and population standard deviation of `values` (0, 0 when empty).
    static func meanAndSD(_ values: [Double]) -> (Double, Double) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    // MARK: Recurring clusters

    /// Open gaps and bug clusters with questions in at least ``InsightsConfiguration/recurringWeeks`` ISO weeks.
    public func recurring(_ gaps: [Gap]) -> [RecurringCluster] {
        gaps.filter { $0.status == .open }.compactMap { gap in
            let weeks = gap.trend.filter { $0.count > 0 }.map(\.week)
            guard weeks.count >= configuration.recurringWeeks else { return nil }
            return RecurringCluster(gapID: gap.id, kind: gap.kind.rawValue, title: gap.title, count: gap.count, weeks: weeks,
                                    firstSeen: gap.firstSeen, lastSeen: gap.lastSeen,
                                    questions: Array(gap.questions.prefix(configuration.examples)))
        }.sorted { ($0.weeks.count, $0.count) > ($1.weeks.count, $1.count) }
    }

    // MARK: Feature requests

    /// Recent questions that ask for a feature, clustered by shared content words.
    public func featureRequests() throws -> [FeatureRequestCluster] {
        let now = clock.now
        let since = now.addingTimeInterval(-Double(configuration.featureRequestDays) * 86_400)
        let asked = try store.questions(since: since, until: now.addingTimeInterval(0.001), limit: configuration.featureRequestScan)
        let requests = asked.filter { FeatureRequestDetector.isRequest($0.text) }
        return Self.cluster(requests, similarity: configuration.featureRequestSimilarity)
            .filter { $0.count >= configuration.featureRequestMinCount }
            .map { members in
                var termCounts: [String: Int] = [:]
                var topicCounts: [String: Int] = [:]
                var surfaces: [String: [String: Int]] = [:]
                for q in members {
                    for word in Set(Self.terms(q.text)) { termCounts[word, default: 0] += 1 }
                    topicCounts[q.topic ?? SupportReports.noTopic, default: 0] += 1
                    for raw in q.text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                        surfaces[TextTokens.stem(String(raw)), default: [:]][String(raw), default: 0] += 1
                    }
                }
                // Title words as customers wrote them ("invoices"), not as stemmed ("invoic").
                func surface(_ stem: String) -> String {
                    surfaces[stem]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? stem
                }
                let title = termCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { surface($0.key) }
                    .joined(separator: " ")
                let newestFirst = members.sorted { $0.createdAt > $1.createdAt }
                return FeatureRequestCluster(
                    title: title.isEmpty ? "feature requests" : title, count: members.count,
                    topics: topicCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key),
                    questions: newestFirst.prefix(configuration.examples).map(\.text),
                    firstSeen: newestFirst.last?.createdAt ?? now, lastSeen: newestFirst.first?.createdAt ?? now)
            }
            .sorted { ($0.count, $1.title) > ($1.count, $0.title) }
    }

    /// The content words of a request, without the request vocabulary.
    static func terms(_ text: String) -> [String] {
        TextTokens.words(text).filter { !FeatureRequestDetector.vocabulary.contains($0) && $0.count > 1 }
    }

    /// Single-pass clustering, oldest first: a question joins the cluster whose first
    /// question's words it overlaps most (shared words / the smaller set), if at least
    /// `similarity`. Comparing with the seed, not the growing union, keeps clusters from chaining.
    static func cluster(_ questions: [AskedQuestion], similarity: Double) -> [[AskedQuestion]] {
        var clusters: [(words: Set<String>, members: [AskedQuestion])] = []
        for question in questions.sorted(by: { $0.createdAt < $1.createdAt }) {
            let words = Set(terms(question.text))
            var best: (index: Int, score: Double)?
            for (i, c) in clusters.enumerated() {
                let smaller = min(c.words.count, words.count)
                let score = smaller == 0 ? 0 : Double(c.words.intersection(words).count) / Double(smaller)
                if score >= similarity, score > (best?.score ?? -1) { best = (i, score) }
            }
            if let best {
                clusters[best.index].members.append(question)
            } else {
                clusters.append((words, [question]))
            }
        }
        return clusters.map(\.members)
    }
}

extension SupportService {
    /// Insights over this service's store and clock, with the default settings.
    public var insights: Insights {
        Insights(store: store, clock: clock)
    }
}

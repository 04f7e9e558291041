import Foundation
import Primitives
import Prometheus
import Support

/// The service's Prometheus metrics (`GET /metrics`, text format 0.0.4), through swift-prometheus.
///
/// | metric | type | from |
/// | --- | --- | --- |
/// | `loopdesk_asks_total` | counter | answers in the store |
/// | `loopdesk_answers_total` | counter | … with `decision = answer` |
/// | `loopdesk_escalations_total` | counter | … with `decision = escalate` |
/// | `loopdesk_outcomes_total{kind}` | counter | outcomes in the store, by kind |
/// | `loopdesk_answer_score` | histogram | the ranker's P(resolved) of each answer |
/// | `loopdesk_ask_duration_seconds` | histogram | `POST /v1/ask` as this process served it |
/// | `loopdesk_core_outbox_pending` | gauge | core operations not yet acknowledged |
/// | `loopdesk_open_gaps{kind}` | gauge | open knowledge gaps and bug clusters |
/// | `loopdesk_data_path_failures_total{path}` | counter | failures this process counted and logged without failing a request (``DataPathFailures``) |
///
/// The store's figures come from the running counters it keeps as it writes
/// (``StoreCounters``): a scrape reads a few dozen rows whatever the history. They
/// follow the store, not the process, so they count every answer service sharing
/// the store and start from the store's history after a restart.
///
/// One instance per server: ``LoopdeskHTTPServer/buildRouter(service:configuration:metrics:logger:)``
/// hands it to the middleware that times asks and to the `/metrics` route that renders it.
/// Unchecked `Sendable`: the metric objects are thread-safe, and the scrape cursor is
/// guarded by its lock.
public final class LoopdeskMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    let asks: Counter
    let answers: Counter
    let escalations: Counter
    let outcomes: [OutcomeKind: Counter]
    let askDuration: DurationHistogram
    let outboxPending: Gauge
    let openGaps: [GapKind: Gauge]
    let dataPathFailures: [DataPathFailure: Counter]
    /// Where the failures are counted (the process's, unless a test gives its own).
    let failures: DataPathFailures
    /// The store's counters and the failure counts as of the last scrape. Held for a whole
    /// scrape (the store read included), so two scrapes never count the same increase.
    private let cursor = Locked<(store: StoreCounters, failures: [DataPathFailure: Int])>((StoreCounters(), [:]))

    /// A fresh set of metrics, registered in a registry of its own: counters at zero (the first
    /// scrape adds the store's totals, from its running counters), no ask timed yet.
    /// - Parameter failures: the data-path failures to report (``DataPathFailures/shared``).
    public init(failures: DataPathFailures = .shared) {
        self.failures = failures
        asks = registry.makeCounter(name: "loopdesk_asks_total", help: "Questions asked (answers recorded in the store).")
        answers = registry.makeCounter(name: "loopdesk_answers_total", help: "Questions the service answered itself.")
        escalations = registry.makeCounter(name: "loopdesk_escalations_total", help: "Questions the policy escalated to a person.")
        var outcomes: [OutcomeKind: Counter] = [:]
        for kind in OutcomeKind.allCases {
            outcomes[kind] = registry.makeCounter(name: "loopdesk_outcomes_total", labels: [("kind", kind.rawValue)],
                                                  help: "Outcomes recorded, by kind.")
        }
        self.outcomes = outcomes
        askDuration = registry.makeDurationHistogram(
            name: "loopdesk_ask_duration_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)],
            help: "Time to serve POST /v1/ask in this process.")
        outboxPending = registry.makeGauge(name: "loopdesk_core_outbox_pending", help: "Core operations waiting for delivery.")
        var openGaps: [GapKind: Gauge] = [:]
        for kind in GapKind.allCases {
            openGaps[kind] = registry.makeGauge(name: "loopdesk_open_gaps", labels: [("kind", kind.rawValue)],
                                                help: "Open knowledge gaps (kind=gap) and bug clusters (kind=bug).")
        }
        self.openGaps = openGaps
        var dataPathFailures: [DataPathFailure: Counter] = [:]
        for path in DataPathFailure.allCases {
            dataPathFailures[path] = registry.makeCounter(name: "loopdesk_data_path_failures_total", labels: [("path", path.rawValue)],
                                                          help: "Failures counted and logged without failing the request they happened in.")
        }
        self.dataPathFailures = dataPathFailures
    }

    /// Records one `POST /v1/ask` as served (`loopdesk_ask_duration_seconds`).
    /// - Parameter duration: from the request's arrival at the router to its response.
    public func observeAsk(duration: Duration) {
        askDuration.record(duration)
    }

    /// Brings the counters and gauges up to date with `service`'s store (one read of its
    /// running counters, ``ReportStore/counters()``) and renders every metric in the
    /// Prometheus text format.
    /// - Throws: the store's errors.
    public func scrape(_ service: SupportService) throws -> String {
        let histogram = try cursor.withLock { cursor -> String in
            let current = try service.store.counters()
            catchUp(current, from: &cursor)
            return Self.scoreHistogram(current)
        }
        return registry.emitToString() + histogram
    }

    /// Adds to each counter what the store (and the failure counts) gained since `cursor`,
    /// sets the gauges, and moves `cursor` to now.
    private func catchUp(_ current: StoreCounters, from cursor: inout (store: StoreCounters, failures: [DataPathFailure: Int])) {
        let (previous, seenFailures) = cursor
        asks.increment(by: Int64(max(0, current.asks - previous.asks)))
        answers.increment(by: Int64(max(0, current.answered - previous.answered)))
        escalations.increment(by: Int64(max(0, current.escalated - previous.escalated)))
        for (kind, counter) in outcomes {
            counter.increment(by: Int64(max(0, (current.outcomes[kind] ?? 0) - (previous.outcomes[kind] ?? 0))))
        }
        outboxPending.set(Double(current.outboxPending))
        for (kind, gauge) in openGaps { gauge.set(Double(current.openGaps[kind] ?? 0)) }
        let failureCounts = failures.snapshot
        for (path, counter) in dataPathFailures {
            counter.increment(by: Int64(max(0, (failureCounts[path] ?? 0) - (seenFailures[path] ?? 0))))
        }
        cursor = (current, failureCounts)
    }

    /// `loopdesk_answer_score` from the store's bucket counts: the histogram swift-prometheus
    /// would render, but from counts kept by the store rather than from every answer replayed.
    static func scoreHistogram(_ counters: StoreCounters) -> String {
        var lines = ["# HELP loopdesk_answer_score The ranker's P(resolved) for the best candidate of each question.",
                     "# TYPE loopdesk_answer_score histogram"]
        var cumulative = 0
        for (index, bound) in StoreCounters.scoreBucketBounds.enumerated() {
            cumulative += counters.scoreBuckets[index]
            lines.append("loopdesk_answer_score_bucket{le=\"\(bound)\"} \(cumulative)")
        }
        cumulative += counters.scoreBuckets.last ?? 0
        lines.append("loopdesk_answer_score_bucket{le=\"+Inf\"} \(cumulative)")
        lines.append("loopdesk_answer_score_sum \(counters.scoreSum)")
        lines.append("loopdesk_answer_score_count \(cumulative)")
        return lines.joined(separator: "\n") + "\n"
    }
}

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
///
/// The counters follow the store, not the process: each scrape adds what was
/// written since the previous one, so they count every answer service sharing
/// the store and start from the store's history after a restart.
///
/// One instance per server: ``LoopdeskHTTPServer/buildRouter(service:configuration:metrics:logger:)``
/// hands it to the middleware that times asks and to the `/metrics` route that renders it.
/// Unchecked `Sendable`: the metric objects are thread-safe, and the scrape cursor is
/// reached only through its lock.
public final class LoopdeskMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    let asks: Counter
    let answers: Counter
    let escalations: Counter
    let outcomes: [OutcomeKind: Counter]
    let scores: ValueHistogram
    let askDuration: DurationHistogram
    let outboxPending: Gauge
    let openGaps: [GapKind: Gauge]
    /// The last answer key and outcome sequence counted. Held for a whole scrape,
    /// so two scrapes never count the same events.
    private let cursor = Locked<(answer: Int64, outcome: Int64)>((0, 0))

    /// A fresh set of metrics, registered in a registry of its own: counters at zero (the first
    /// scrape catches up with the store), no ask timed yet.
    public init() {
        asks = registry.makeCounter(name: "loopdesk_asks_total", help: "Questions asked (answers recorded in the store).")
        answers = registry.makeCounter(name: "loopdesk_answers_total", help: "Questions the service answered itself.")
        escalations = registry.makeCounter(name: "loopdesk_escalations_total", help: "Questions the policy escalated to a person.")
        var outcomes: [OutcomeKind: Counter] = [:]
        for kind in OutcomeKind.allCases {
            outcomes[kind] = registry.makeCounter(name: "loopdesk_outcomes_total", labels: [("kind", kind.rawValue)],
                                                  help: "Outcomes recorded, by kind.")
        }
        self.outcomes = outcomes
        scores = registry.makeValueHistogram(name: "loopdesk_answer_score", buckets: (1...10).map { Double($0) / 10 },
                                             help: "The ranker's P(resolved) for the best candidate of each question.")
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
    }

    /// Records one `POST /v1/ask` as served (`loopdesk_ask_duration_seconds`).
    /// - Parameter duration: from the request's arrival at the router to its response.
    public func observeAsk(duration: Duration) {
        askDuration.record(duration)
    }

    /// Brings the counters and gauges up to date with `service`'s store, then
    /// renders every metric in the Prometheus text format.
    /// - Parameter openGaps: open clusters per kind, when the service tracks gaps.
    /// - Throws: the store's errors.
    public func scrape(_ service: SupportService, openGaps counts: [GapKind: Int] = [:]) throws -> String {
        try cursor.withLock { cursor in
            try catchUp(service.store, from: &cursor)
            outboxPending.set(Double(try service.store.pendingOperationCount()))
            for (kind, gauge) in openGaps { gauge.set(Double(counts[kind] ?? 0)) }
        }
        return registry.emitToString()
    }

    /// Adds the answers and outcomes written since `cursor`, then moves it past them.
    private func catchUp(_ store: any ReportStore, from cursor: inout (answer: Int64, outcome: Int64)) throws {
        var (answerKey, outcomeSeq) = cursor
        while true {
            let page = try store.answerEvents(after: answerKey, limit: 10_000)
            guard let last = page.last else { break }
            for event in page {
                asks.increment()
                (event.decision == .answer ? answers : escalations).increment()
                scores.record(event.score)
            }
            answerKey = last.key
        }
        while true {
            let page = try store.outcomeEvents(after: outcomeSeq, limit: 10_000)
            guard let last = page.last else { break }
            for event in page { outcomes[event.kind]?.increment() }
            outcomeSeq = last.sequence
        }
        cursor = (answerKey, outcomeSeq)
    }
}

import Foundation
import Primitives
import Prometheus
import Support

/// The service's Prometheus metrics (`GET /metrics`, text format 0.0.4), through swift-prometheus.
///
/// | metric | type | from |
/// | --- | --- | --- |
/// | `loopdesk_asks_total{workspace}` | counter | answers in the store |
/// | `loopdesk_answers_total{workspace}` | counter | … with `decision = answer` |
/// | `loopdesk_escalations_total{workspace}` | counter | … with `decision = escalate` |
/// | `loopdesk_outcomes_total{workspace, kind}` | counter | outcomes in the store, by kind |
/// | `loopdesk_answer_score{workspace}` | histogram | the ranker's P(resolved) of each answer |
/// | `loopdesk_ask_duration_seconds` | histogram | `POST /v1/ask` as this process served it, every workspace |
/// | `loopdesk_core_outbox_pending{workspace}` | gauge | core operations not yet acknowledged |
/// | `loopdesk_open_gaps{workspace, kind}` | gauge | open knowledge gaps and bug clusters |
/// | `loopdesk_helpdesk_writes_pending{workspace}` | gauge | replies and notes not yet acknowledged by the helpdesk (with a write-back account) |
/// | `loopdesk_helpdesk_writes_failed{workspace}` | gauge | replies and notes given up: out of attempts, or the ticket is gone |
/// | `loopdesk_data_path_failures_total{path}` | counter | failures this process counted and logged without failing a request (``DataPathFailures``) |
///
/// The store's figures come from the running counters each workspace's store keeps as it
/// writes (``StoreCounters``): a scrape reads a few dozen rows per workspace whatever the
/// history. They follow the store, not the process, so they count every answer service
/// sharing the store and start from the store's history after a restart. A workspace is
/// in the scrape once this process has opened it (a request for it since the start).
///
/// One instance per server: ``LoopdeskHTTPServer/buildRouter(workspaces:configuration:metrics:logger:)``
/// hands it to the middleware that times asks and to the `/metrics` route that renders it.
/// Unchecked `Sendable`: the metric objects are thread-safe, and the per-workspace sets and
/// the failure cursor are guarded by their locks.
public final class LoopdeskMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    let askDuration: DurationHistogram
    let dataPathFailures: [DataPathFailure: Counter]
    /// Where the failures are counted (the process's, unless a test gives its own).
    let failures: DataPathFailures
    /// The failure counts as of the last scrape.
    private let failureCursor = Locked<[DataPathFailure: Int]>([:])
    /// Each scraped workspace's metrics, made on its first scrape.
    private let workspaces = Locked<[WorkspaceName: WorkspaceMetrics]>([:])

    /// A fresh set of metrics, registered in a registry of its own: counters at zero (the first
    /// scrape adds each store's totals, from its running counters), no ask timed yet.
    /// - Parameter failures: the data-path failures to report (``DataPathFailures/shared``).
    public init(failures: DataPathFailures = .shared) {
        self.failures = failures
        askDuration = registry.makeDurationHistogram(
            descriptor: .loopdesk("loopdesk_ask_duration_seconds", help: "Time to serve POST /v1/ask in this process."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)])
        var dataPathFailures: [DataPathFailure: Counter] = [:]
        for path in DataPathFailure.allCases {
            dataPathFailures[path] = registry.makeCounter(descriptor: .loopdesk("loopdesk_data_path_failures_total",
                help: "Failures counted and logged without failing the request they happened in."), labels: [("path", path.rawValue)])
        }
        self.dataPathFailures = dataPathFailures
    }

    /// Records one `POST /v1/ask` as served (`loopdesk_ask_duration_seconds`).
    /// - Parameter duration: from the request's arrival at the router to its response.
    public func observeAsk(duration: Duration) {
        askDuration.record(duration)
    }

    /// Renders the metrics of a service with one workspace, the default one.
    /// - Throws: the store's errors.
    public func scrape(_ service: SupportService) throws -> String {
        try scrape([(WorkspaceName.default, service)])
    }

    /// Brings each workspace's counters and gauges up to date with its store (one read of its
    /// running counters, ``ReportStore/counters()``) and renders every metric in the
    /// Prometheus text format.
    /// - Throws: the first store's error.
    public func scrape(_ services: [(workspace: WorkspaceName, service: SupportService)]) throws -> String {
        var histograms = ""
        for (workspace, service) in services {
            let metrics = workspaces.withLock { sets in
                if let known = sets[workspace] { return known }
                let made = WorkspaceMetrics(workspace, registry: registry)
                sets[workspace] = made
                return made
            }
            histograms += try metrics.catchUp(with: service.store)
            if !service.configuration.helpdesks.accounts.isEmpty { metrics.setHelpdeskBacklog(try service.helpdeskBacklog()) }
        }
        failureCursor.withLock { seen in
            let counts = failures.snapshot
            for (path, counter) in dataPathFailures {
                counter.increment(by: Int64(max(0, (counts[path] ?? 0) - (seen[path] ?? 0))))
            }
            seen = counts
        }
        return registry.emitToString() + WorkspaceMetrics.scoreHistogramHeader + histograms
    }
}

/// One workspace's store-derived metrics, every series labelled `workspace="NAME"`.
final class WorkspaceMetrics: @unchecked Sendable {
    let workspace: WorkspaceName
    let asks: Counter
    let answers: Counter
    let escalations: Counter
    let outcomes: [OutcomeKind: Counter]
    let outboxPending: Gauge
    let openGaps: [GapKind: Gauge]
    let helpdeskPending: Gauge
    let helpdeskFailed: Gauge
    /// The store's counters as of the last scrape. Held for a whole scrape (the store read
    /// included), so two scrapes never count the same increase.
    private let cursor = Locked(StoreCounters())

    init(_ workspace: WorkspaceName, registry: PrometheusCollectorRegistry) {
        self.workspace = workspace
        let label = ("workspace", workspace.rawValue)
        asks = registry.makeCounter(descriptor: .loopdesk("loopdesk_asks_total",
            help: "Questions asked (answers recorded in the store)."), labels: [label])
        answers = registry.makeCounter(descriptor: .loopdesk("loopdesk_answers_total",
            help: "Questions the service answered itself."), labels: [label])
        escalations = registry.makeCounter(descriptor: .loopdesk("loopdesk_escalations_total",
            help: "Questions the policy escalated to a person."), labels: [label])
        var outcomes: [OutcomeKind: Counter] = [:]
        for kind in OutcomeKind.allCases {
            outcomes[kind] = registry.makeCounter(descriptor: .loopdesk("loopdesk_outcomes_total",
                help: "Outcomes recorded, by kind."), labels: [label, ("kind", kind.rawValue)])
        }
        self.outcomes = outcomes
        outboxPending = registry.makeGauge(descriptor: .loopdesk("loopdesk_core_outbox_pending",
            help: "Core operations waiting for delivery."), labels: [label])
        var openGaps: [GapKind: Gauge] = [:]
        for kind in GapKind.allCases {
            openGaps[kind] = registry.makeGauge(descriptor: .loopdesk("loopdesk_open_gaps",
                help: "Open knowledge gaps (kind=gap) and bug clusters (kind=bug)."), labels: [label, ("kind", kind.rawValue)])
        }
        self.openGaps = openGaps
        helpdeskPending = registry.makeGauge(descriptor: .loopdesk("loopdesk_helpdesk_writes_pending",
            help: "Replies and notes waiting for the helpdesk to acknowledge them."), labels: [label])
        helpdeskFailed = registry.makeGauge(descriptor: .loopdesk("loopdesk_helpdesk_writes_failed",
            help: "Replies and notes given up (out of attempts, or the ticket is gone)."), labels: [label])
    }

    /// Sets the write-back gauges.
    func setHelpdeskBacklog(_ backlog: WebhookBacklog) {
        helpdeskPending.set(Double(backlog.pending))
        helpdeskFailed.set(Double(backlog.failed))
    }

    /// Adds to each counter what `store` gained since the last scrape, sets the gauges, and
    /// returns this workspace's `loopdesk_answer_score` histogram.
    func catchUp(with store: any SupportStore) throws -> String {
        try cursor.withLock { previous in
            let current = try store.counters()
            asks.increment(by: Int64(max(0, current.asks - previous.asks)))
            answers.increment(by: Int64(max(0, current.answered - previous.answered)))
            escalations.increment(by: Int64(max(0, current.escalated - previous.escalated)))
            for (kind, counter) in outcomes {
                counter.increment(by: Int64(max(0, (current.outcomes[kind] ?? 0) - (previous.outcomes[kind] ?? 0))))
            }
            outboxPending.set(Double(current.outboxPending))
            for (kind, gauge) in openGaps { gauge.set(Double(current.openGaps[kind] ?? 0)) }
            previous = current
            return Self.scoreHistogram(current, workspace: workspace)
        }
    }

    /// The family's `# HELP` and `# TYPE`, once before every workspace's samples.
    static let scoreHistogramHeader = "# HELP loopdesk_answer_score The ranker's P(resolved) for the best candidate of each question.\n"
        + "# TYPE loopdesk_answer_score histogram\n"

    /// This workspace's samples of `loopdesk_answer_score`, from the store's bucket counts: the histogram swift-prometheus
    /// would render, but from counts kept by the store rather than from every answer replayed.
    static func scoreHistogram(_ counters: StoreCounters, workspace: WorkspaceName) -> String {
        let label = "workspace=\"\(workspace.rawValue)\""
        var lines: [String] = []
        var cumulative = 0
        for (index, bound) in StoreCounters.scoreBucketBounds.enumerated() {
            cumulative += counters.scoreBuckets[index]
            lines.append("loopdesk_answer_score_bucket{\(label),le=\"\(bound)\"} \(cumulative)")
        }
        cumulative += counters.scoreBuckets.last ?? 0
        lines.append("loopdesk_answer_score_bucket{\(label),le=\"+Inf\"} \(cumulative)")
        lines.append("loopdesk_answer_score_sum{\(label)} \(counters.scoreSum)")
        lines.append("loopdesk_answer_score_count{\(label)} \(cumulative)")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension MetricNameDescriptor {
    /// A descriptor whose exposed name is `name` exactly (no namespace or unit
    /// appended), so the names stay those docs/OPERATIONS.md lists.
    static func loopdesk(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

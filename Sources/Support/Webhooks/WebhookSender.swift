import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// Delivers the webhook outbox: `gap.threshold` and `bug.threshold` events by a signed POST
/// (``SignedWebhookReceiver``), and the comments written back into helpdesks
/// (``HelpdeskReceiver``, kinds `helpdesk.zendesk`, …) — one engine, a receiver per kind.
///
/// At least once, never twice on purpose: a row is marked delivered as soon as the
/// receiver's answer says so (``OutboxReceiver/verdict(status:header:body:now:)``), deliveries
/// run one at a time, and a row is queued under a unique event id, so the same event is
/// never queued twice. Webhook POSTs carry the event id as `Idempotency-Key` so a receiver
/// can drop the repeat that a crash between its 2xx and our commit would cause. Redirects
/// are never followed (``HTTPTransport``); a URL that is not https (or http to loopback)
/// is never sent to; logs and stored errors name the receiver's host only, never its URL.
/// A failure is retried after ``GapConfiguration/webhookBackoff`` × 2^(attempts − 1), capped
/// at ``GapConfiguration/webhookMaxBackoff`` (or when the receiver's verdict says: a
/// `Retry-After`), up to ``GapConfiguration/webhookMaxAttempts``; a row that can never be
/// delivered is abandoned at once, kept with its reason.
actor WebhookSender {
    private let store: any GapStore
    private let configuration: GapConfiguration
    private let clock: any SupportClock
    private let logger: Logger
    private let transport: HTTPTransport
    private let receivers: [String: any OutboxReceiver]
    /// Where references learnt from answers are kept (the issue a tracker opened for a cluster).
    private let references: (any SupportStore)?
    private var tail: Task<Int, Never>?
    private var retry: Task<Void, Never>?

    /// - Parameters:
    ///   - helpdesks: where comments are written back, beside the configured webhooks.
    ///   - trackers: where bug clusters become issues.
    ///   - references: where the issues opened are remembered (needed with `trackers`).
    init(store: any GapStore, configuration: GapConfiguration, helpdesks: HelpdeskAccounts = HelpdeskAccounts(),
         trackers: IssueTrackers = IssueTrackers(), references: (any SupportStore)? = nil, clock: any SupportClock, logger: Logger) {
        self.store = store
        self.references = references
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        transport = HTTPTransport(timeout: configuration.webhookTimeout)
        var receivers: [String: any OutboxReceiver] = [:]
        if let url = configuration.bugWebhookURL { receivers[GapEvent.bugThreshold] = SignedWebhookReceiver(url: url, secret: configuration.webhookSecret) }
        if let url = configuration.gapWebhookURL { receivers[GapEvent.gapThreshold] = SignedWebhookReceiver(url: url, secret: configuration.webhookSecret) }
        for (helpdesk, account) in helpdesks.accounts {
            receivers[HelpdeskAccounts.outboxKind(helpdesk)] = HelpdeskReceiver(helpdesk: helpdesk, account: account)
        }
        if let references {
            let lookup: @Sendable (String) -> String? = { key in
                do {
                    return try references.value(forKey: key)
                } catch {
                    DataPathFailures.shared.record(.trackerReference, error, what: "reading a tracker issue reference", logger: logger)
                    return nil
                }
            }
            for (tracker, account) in trackers.accounts {
                receivers[IssueTrackers.outboxKind(tracker)] = IssueTrackerReceiver(tracker: tracker, account: account, lookup: lookup)
            }
        }
        self.receivers = receivers
    }

    /// Keeps a reference an answer carried; a failure is counted and logged (a later comment on
    /// the cluster then cannot be sent, and says so).
    private func remember(_ key: String, _ value: String) {
        do {
            try references?.write { w in try w.setValue(value, forKey: key) }
        } catch {
            DataPathFailures.shared.record(.trackerReference, error, what: "remembering a tracker issue reference", logger: logger)
        }
    }

    /// The kinds that have a receiver, in a stable order.
    private var deliverableKinds: [String] { receivers.keys.sorted() }

    /// Delivers every due event now (after any delivery already running).
    /// - Returns: how many were delivered.
    @discardableResult
    func deliverDue() async -> Int {
        let previous = tail
        let task = Task { [weak self] () -> Int in
            _ = await previous?.value
            guard let self else { return 0 }
            return await self.drain()
        }
        tail = task
        return await task.value
    }

    /// Stops the retry timer and the transport.
    func stop() async {
        retry?.cancel()
        retry = nil
        await transport.shutdown()
    }

    private func drain() async -> Int {
        var delivered = 0
        let kinds = deliverableKinds
        guard !kinds.isEmpty else { return 0 }
        while true {
            let due: [WebhookDelivery]
            do {
                due = try store.dueWebhooks(kinds: kinds, now: clock.now, maxAttempts: configuration.webhookMaxAttempts, limit: 32)
            } catch {
                logger.error("cannot read the webhook outbox: \(error)")
                return delivered
            }
            if due.isEmpty { break }
            for event in due {
                guard let receiver = receivers[event.kind] else { continue }
                let verdict = await attempt(event, to: receiver)
                do {
                    try record(verdict, of: event, host: receiver.host)
                    if verdict == .delivered { delivered += 1 }
                } catch {
                    logger.error("cannot record webhook \(event.eventID): \(error)")
                    return delivered
                }
            }
        }
        scheduleRetry(kinds: kinds)
        return delivered
    }

    /// Writes one attempt's verdict to the row.
    private func record(_ verdict: DeliveryVerdict, of event: WebhookDelivery, host: String) throws {
        let attempts = event.attempts + 1
        switch verdict {
        case .delivered:
            try store.gapWrite { w in try w.markWebhookDelivered(eventID: event.eventID, at: clock.now) }
        case let .retry(reason, wait):
            let seconds: TimeInterval
            switch wait {
            case .backoff: seconds = min(configuration.webhookMaxBackoff, configuration.webhookBackoff * pow(2, Double(attempts - 1)))
            case let .seconds(value): seconds = value
            case .slowest: seconds = configuration.webhookMaxBackoff
            }
            logger.warning("\(event.kind) \(event.eventID) to host \(host) failed (attempt \(attempts)): \(reason); retry in \(seconds) s")
            try store.gapWrite { w in
                try w.markWebhookFailed(eventID: event.eventID, attempts: attempts, nextAttemptAt: clock.now.addingTimeInterval(seconds),
                                        error: reason)
            }
        case let .abandon(reason):
            logger.error("\(event.kind) \(event.eventID) to host \(host) abandoned (attempt \(attempts)): \(reason)")
            try store.gapWrite { w in
                try w.markWebhookFailed(eventID: event.eventID, attempts: max(attempts, configuration.webhookMaxAttempts),
                                        nextAttemptAt: clock.now, error: reason)
            }
        }
    }

    /// Wakes up when the earliest failed event is due again.
    private func scheduleRetry(kinds: [String]) {
        let pending: [WebhookDelivery]
        do {
            pending = try store.dueWebhooks(kinds: kinds, now: .distantFuture, maxAttempts: configuration.webhookMaxAttempts, limit: 1000)
        } catch {
            DataPathFailures.shared.record(.webhookSchedule, error, what: "reading the webhook outbox for the next retry", logger: logger)
            return
        }
        guard let next = pending.map(\.nextAttemptAt).min() else { return }
        let wait = max(0, next.timeIntervalSince(clock.now))
        retry?.cancel()
        retry = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(min(wait, 86_400) * 1e9) + 1_000_000)
            guard !Task.isCancelled, let self else { return }
            await self.deliverDue()
        }
    }

    /// Sends one row once and reads the answer.
    private func attempt(_ event: WebhookDelivery, to receiver: any OutboxReceiver) async -> DeliveryVerdict {
        let request: URLRequest
        do throws(NotSendable) {
            request = try receiver.request(for: event, timeout: configuration.webhookTimeout)
        } catch {
            return error.later ? .retry(reason: error.description, wait: .backoff) : .abandon(reason: error.description)
        }
        do {
            let (http, body) = try await transport.send(request)
            let verdict = receiver.verdict(status: http.statusCode, header: { http.value(forHTTPHeaderField: $0) }, body: body, now: clock.now)
            if verdict == .delivered, let (key, value) = receiver.reference(after: event, body: body) { remember(key, value) }
            return verdict
        } catch {
            return .retry(reason: "transport error: \(error)", wait: .backoff)
        }
    }
}

/// Names and bodies of the events the tracker writes to the webhook outbox.
public enum GapEvent {
    /// A knowledge gap reached ``GapConfiguration/gapEventThreshold`` questions.
    public static let gapThreshold = "gap.threshold"
    /// A bug cluster reached ``GapConfiguration/bugEventThreshold`` questions within ``GapConfiguration/bugWindow``.
    public static let bugThreshold = "bug.threshold"

    /// The issue-tracker body of a `bug.threshold` event: Linear-/Jira-like fields.
    public struct BugPayload: Codable, Sendable, Equatable {
        /// Unique per event; also the POST's `Idempotency-Key`.
        public var eventID: String
        /// ``GapEvent/bugThreshold``.
        public var event: String
        /// The issue's title: `Bug reports: ` and the cluster's suggested title.
        public var title: String
        /// The issue's body: what the cluster is, its size and its example questions.
        public var description: String
        /// Questions in the cluster, all time.
        public var count: Int
        /// Questions within ``GapConfiguration/bugWindow``: what crossed the threshold.
        public var windowCount: Int
        /// The newest questions.
        public var examples: [String]
        /// When its first question arrived.
        public var firstSeen: Date
        /// When its latest question arrived.
        public var lastSeen: Date
        /// The cluster's id, for linking the issue back.
        public var clusterID: Int64
        /// Labels for the issue tracker: `bug`, `loopdesk`.
        public var labels: [String]

        enum CodingKeys: String, CodingKey {
            case event, title, description, count, examples, labels
            case eventID = "event_id", windowCount = "window_count", firstSeen = "first_seen", lastSeen = "last_seen"
            case clusterID = "cluster_id"
        }
    }

    /// The body of a `gap.threshold` event: the gap as `GET /v1/gaps` shows it.
    public struct GapPayload: Codable, Sendable, Equatable {
        /// Unique per event; also the POST's `Idempotency-Key`.
        public var eventID: String
        /// ``GapEvent/gapThreshold``.
        public var event: String
        /// The gap when it crossed the threshold.
        public var gap: Gap

        enum CodingKeys: String, CodingKey {
            case event, gap
            case eventID = "event_id"
        }
    }
}

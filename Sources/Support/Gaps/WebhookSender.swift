import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// Delivers the webhook outbox (`gap.threshold`, `bug.threshold` events) by HTTP POST.
///
/// At least once, never twice on purpose: a row is marked delivered as soon as
/// the receiver answers 2xx, deliveries run one at a time, and every POST
/// carries the event id as `Idempotency-Key` so a receiver can drop the repeat
/// that a crash between its 2xx and our commit would cause. Every body is signed
/// (``WebhookSignature``) when a secret is configured; redirects are never
/// followed (``WebhookTransport``); a URL that is not https (or http to loopback)
/// is never sent to; logs and stored errors name the receiver's host only, never its
/// URL. A failure (no answer, a redirect, or another status than 2xx) is retried after
/// ``GapConfiguration/webhookBackoff`` × 2^(attempts − 1), capped at
/// ``GapConfiguration/webhookMaxBackoff``, up to ``GapConfiguration/webhookMaxAttempts``.
actor WebhookSender {
    private let store: any GapStore
    private let configuration: GapConfiguration
    private let clock: any SupportClock
    private let logger: Logger
    private let transport: WebhookTransport
    private var tail: Task<Int, Never>?
    private var retry: Task<Void, Never>?

    init(store: any GapStore, configuration: GapConfiguration, clock: any SupportClock, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        transport = WebhookTransport(timeout: configuration.webhookTimeout)
    }

    /// The URL events of a kind go to, if one is configured.
    func url(forKind kind: String) -> URL? {
        switch kind {
        case GapEvent.bugThreshold: configuration.bugWebhookURL
        case GapEvent.gapThreshold: configuration.gapWebhookURL
        default: nil
        }
    }

    private var deliverableKinds: [String] {
        [GapEvent.bugThreshold, GapEvent.gapThreshold].filter { url(forKind: $0) != nil }
    }

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
    func stop() {
        retry?.cancel()
        retry = nil
        transport.invalidate()
    }

    private func drain() async -> Int {
        var delivered = 0
        let kinds = deliverableKinds
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
                guard let url = url(forKind: event.kind) else { continue }
                let failure = await post(event, to: url)
                do {
                    if let failure {
                        let attempts = event.attempts + 1
                        let wait = min(configuration.webhookMaxBackoff, configuration.webhookBackoff * pow(2, Double(attempts - 1)))
                        logger.warning("webhook \(event.eventID) to host \(url.host ?? "?") failed (attempt \(attempts)): \(failure); retry in \(wait) s")
                        try store.gapWrite { w in
                            try w.markWebhookFailed(eventID: event.eventID, attempts: attempts,
                                                    nextAttemptAt: clock.now.addingTimeInterval(wait), error: failure)
                        }
                    } else {
                        try store.gapWrite { w in try w.markWebhookDelivered(eventID: event.eventID, at: clock.now) }
                        delivered += 1
                    }
                } catch {
                    logger.error("cannot record webhook \(event.eventID): \(error)")
                    return delivered
                }
            }
        }
        scheduleRetry(kinds: kinds)
        return delivered
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

    /// POSTs one event. - Returns: nil on a 2xx answer, else what went wrong (without the URL).
    private func post(_ event: WebhookDelivery, to url: URL) async -> String? {
        if let problem = GapConfiguration.problem(with: url) { return "not sent: \(problem)" }
        var request = URLRequest(url: url, timeoutInterval: configuration.webhookTimeout)
        request.httpMethod = "POST"
        request.httpBody = event.payload
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(event.eventID, forHTTPHeaderField: "Idempotency-Key")
        request.setValue(event.kind, forHTTPHeaderField: "X-Loopdesk-Event")
        request.setValue("loopdesk", forHTTPHeaderField: "User-Agent")
        if let secret = configuration.webhookSecret {
            request.setValue(WebhookSignature.value(body: event.payload, secret: secret), forHTTPHeaderField: WebhookSignature.header)
        }
        do {
            let http = try await transport.send(request)
            if (300..<400).contains(http.statusCode) { return "HTTP \(http.statusCode): a redirect, not followed" }
            return (200..<300).contains(http.statusCode) ? nil : "HTTP \(http.statusCode)"
        } catch let error as URLError {
            return "\(error.localizedDescription) (URLError \(error.code.rawValue))"
        } catch {
            return "transport error (\(type(of: error)))"
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

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the rows of one outbox kind go, and what the receiver's answer means: the part of a
/// delivery that differs between a signed webhook (`gap.threshold`, `bug.threshold`) and a
/// helpdesk's REST API (`helpdesk.zendesk`, …). ``WebhookSender`` does the rest for all of
/// them: order, retries with back-off, the record in the store.
protocol OutboxReceiver: Sendable {
    /// The host named in logs and stored errors (never the URL: it may carry a secret).
    var host: String { get }
    /// The request that delivers `delivery`.
    /// - Throws: ``NotSendable``: why it can never be sent (the row is then abandoned with that reason).
    func request(for delivery: WebhookDelivery, timeout: TimeInterval) throws(NotSendable) -> URLRequest
    /// What the receiver's answer means for the row.
    func verdict(status: Int, header: (String) -> String?, body: Data, now: Date) -> DeliveryVerdict
    /// What to remember from a delivered row's answer (the issue a tracker opened, which later
    /// comments on the cluster need): a key and value for the store, or nil.
    func reference(after delivery: WebhookDelivery, body: Data) -> (key: String, value: String)?
}

extension OutboxReceiver {
    func reference(after delivery: WebhookDelivery, body: Data) -> (key: String, value: String)? { nil }
}

/// What becomes of an outbox row after one attempt.
public enum DeliveryVerdict: Equatable, Sendable {
    /// When to try again.
    public enum Wait: Equatable, Sendable {
        /// The sender's back-off: ``GapConfiguration/webhookBackoff`` × 2^(attempts − 1), capped.
        case backoff
        /// This many seconds (a `Retry-After` the receiver asked for).
        case seconds(TimeInterval)
        /// The longest back-off, ``GapConfiguration/webhookMaxBackoff``: a fault only a person can mend
        /// (credentials refused), worth trying again now and then rather than often.
        case slowest
    }

    /// Acknowledged: never sent again.
    case delivered
    /// Not delivered; sent again later.
    case retry(reason: String, wait: Wait)
    /// Can never succeed (the ticket is gone, the request is refused as malformed): kept in the
    /// outbox as failed, with the reason, and not sent again.
    case abandon(reason: String)
}

/// Why an outbox row cannot be sent (now); its description is stored as the row's last error.
struct NotSendable: Error, CustomStringConvertible {
    var description: String
    /// Not yet, rather than never: something it needs is still on its way (the issue a comment
    /// is for, while the issue's own row is still being retried). Retried with the back-off.
    var later = false
}

/// A `gap.threshold` / `bug.threshold` receiver: the body POSTed as queued, signed when a
/// secret is configured, with the event id as `Idempotency-Key`.
struct SignedWebhookReceiver: OutboxReceiver {
    let url: URL
    let secret: String?

    var host: String { url.host ?? "?" }

    func request(for delivery: WebhookDelivery, timeout: TimeInterval) throws(NotSendable) -> URLRequest {
        if let problem = GapConfiguration.problem(with: url) { throw NotSendable(description: "not sent: \(problem)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = delivery.payload
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(delivery.eventID, forHTTPHeaderField: "Idempotency-Key")
        request.setValue(delivery.kind, forHTTPHeaderField: "X-Loopdesk-Event")
        request.setValue("loopdesk", forHTTPHeaderField: "User-Agent")
        if let secret {
            request.setValue(WebhookSignature.value(body: delivery.payload, secret: secret), forHTTPHeaderField: WebhookSignature.header)
        }
        return request
    }

    func verdict(status: Int, header: (String) -> String?, body: Data, now: Date) -> DeliveryVerdict {
        if (200..<300).contains(status) { return .delivered }
        if (300..<400).contains(status) { return .retry(reason: "HTTP \(status): a redirect, not followed", wait: .backoff) }
        return .retry(reason: "HTTP \(status)", wait: .backoff)
    }
}

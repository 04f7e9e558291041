import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The outbox receiver of one helpdesk's write-backs (`helpdesk.zendesk`, …): each row's
/// payload is a ``HelpdeskComment``, sent as ``HelpdeskWriteRequest`` builds it with the
/// account configured now (credentials are never stored in the outbox).
struct HelpdeskReceiver: OutboxReceiver {
    let helpdesk: HelpdeskWebhookVerifier.Helpdesk
    let account: HelpdeskAccounts.Account

    var host: String { account.baseURL.host ?? "?" }

    func request(for delivery: WebhookDelivery, timeout: TimeInterval) throws(NotSendable) -> URLRequest {
        let comment: HelpdeskComment
        do {
            comment = try JSONDecoder().decode(HelpdeskComment.self, from: delivery.payload)
        } catch {
            throw NotSendable(description: "not sent: the queued comment is not readable (\(type(of: error)))")
        }
        do {
            return try HelpdeskWriteRequest.make(comment, helpdesk: helpdesk, account: account, timeout: timeout)
        } catch {
            throw NotSendable(description: "not sent: \(error)")
        }
    }

    func verdict(status: Int, header: (String) -> String?, body: Data, now: Date) -> DeliveryVerdict {
        HelpdeskResponse.verdict(status: status, helpdesk: helpdesk, header: header, now: now)
    }
}

/// What a helpdesk's answer to a write-back means, as each documents its errors
/// (Zendesk: <https://developer.zendesk.com/api-reference/introduction/rate-limits/>,
/// <https://developer.zendesk.com/api-reference/ticketing/introduction/#response-format>;
/// Freshdesk: <https://developers.freshdesk.com/api/#error>, rate limits `Retry-After`;
/// Intercom: <https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting>,
/// `X-RateLimit-Reset`):
///
/// | status | verdict |
/// | --- | --- |
/// | 2xx | delivered |
/// | 429 | retry after `Retry-After` (seconds or an HTTP date), else Intercom's `X-RateLimit-Reset` (Unix time), else the back-off |
/// | 401, 403 | retry at the slowest back-off: the credentials (or the agent's permissions) are refused; a person must mend them, and the comment waits for them |
/// | 404 | abandoned: the ticket is gone (deleted, merged, or an id of another account) |
/// | 400, 422 | abandoned: the helpdesk refuses the request itself; sending it again cannot help |
/// | 409, 5xx, others | retry with the back-off (Zendesk answers 409 to concurrent updates of one ticket) |
///
/// A `Retry-After` is capped at a day, so a garbled one cannot park a reply for ever.
public enum HelpdeskResponse {
    /// The longest `Retry-After` honoured, in seconds.
    public static let maximumRetryAfter: TimeInterval = 86_400

    /// The verdict on one answer.
    /// - Parameters:
    ///   - header: the response's header value by name.
    ///   - now: for a `Retry-After` given as a date.
    public static func verdict(status: Int, helpdesk: HelpdeskWebhookVerifier.Helpdesk, header: (String) -> String?,
                               now: Date) -> DeliveryVerdict {
        let variables = HelpdeskAccounts.environmentVariables(helpdesk)
        return verdict(status: status, service: helpdesk.rawValue, credentials: [variables.user].compactMap { $0 } + [variables.secret],
                       header: header, now: now)
    }

    /// The verdict on one answer of a REST service (a helpdesk, an issue tracker) that speaks
    /// HTTP statuses the common way; `credentials` name the variables a 401 asks to check.
    public static func verdict(status: Int, service name: String, credentials: [String], header: (String) -> String?,
                               now: Date) -> DeliveryVerdict {
        switch status {
        case 200..<300:
            return .delivered
        case 429:
            let reason = "HTTP 429: \(name) rate limit"
            if let wait = retryAfter(header("Retry-After"), now: now) ?? rateLimitReset(header("X-RateLimit-Reset"), now: now) {
                return .retry(reason: reason, wait: .seconds(min(wait, maximumRetryAfter)))
            }
            return .retry(reason: reason, wait: .backoff)
        case 401, 403:
            return .retry(reason: "HTTP \(status): \(name) refuses the credentials; check \(credentials.joined(separator: ", "))",
                          wait: .slowest)
        case 404:
            return .abandon(reason: "HTTP 404: \(name) has no such ticket or issue (deleted or merged); not sent again")
        case 400, 422:
            return .abandon(reason: "HTTP \(status): \(name) refuses the request; not sent again")
        case 300..<400:
            return .retry(reason: "HTTP \(status): a redirect, not followed", wait: .backoff)
        default:
            return .retry(reason: "HTTP \(status)", wait: .backoff)
        }
    }

    /// `Retry-After`: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3). Nil when absent or unreadable.
    static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Intercom's `X-RateLimit-Reset`: the Unix time the window resets.
    static func rateLimitReset(_ value: String?, now: Date) -> TimeInterval? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), let epoch = Double(text), epoch.isFinite else { return nil }
        return max(0, epoch - now.timeIntervalSince1970)
    }
}

import Crypto
import Foundation

/// Decides whether a webhook delivery really comes from the helpdesk it claims,
/// each by the helpdesk's own documented scheme, so that a helpdesk route can be
/// open to the internet without the service's bearer token:
///
/// | helpdesk | header(s) | what is checked |
/// | --- | --- | --- |
/// | Zendesk | `X-Zendesk-Webhook-Signature`, `X-Zendesk-Webhook-Signature-Timestamp` | base64 of HMAC-SHA256 over timestamp + raw body under the webhook's signing secret; the timestamp within ``maximumClockSkew`` of now, so a captured delivery cannot be replayed later (<https://developer.zendesk.com/documentation/webhooks/verifying/>) |
/// | Intercom | `X-Hub-Signature` | `sha1=` and the hex HMAC-SHA1 of the raw body under the app's client secret (<https://developers.intercom.com/docs/references/webhooks/webhook-models>, signed notifications) |
/// | Freshdesk | ``freshdeskSecretHeader`` | Freshdesk does not sign webhooks; its automation sends a custom header with a shared secret, compared here in constant time |
///
/// Every comparison takes the same time whatever byte differs first. A redelivery of an
/// accepted event passes again — the outcome's `event_id` makes it a duplicate downstream.
public enum HelpdeskWebhookVerifier {
    /// The helpdesks that call Loopdesk's webhook routes.
    public enum Helpdesk: String, Sendable, CaseIterable {
        case zendesk, freshdesk, intercom
    }

    /// Why a delivery was refused (the route answers 401 with the reason).
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        /// No secret is configured for this helpdesk, so nothing it sends can be trusted.
        case notConfigured(Helpdesk)
        /// A header the scheme needs is absent.
        case missingHeader(String)
        /// The signature does not match the body (forged, altered, or another secret).
        case badSignature(Helpdesk)
        /// The Zendesk timestamp is not a date.
        case malformedTimestamp(String)
        /// The Zendesk timestamp is further from now than ``maximumClockSkew`` (a replay, or a wrong clock).
        case staleTimestamp(seconds: Int)

        public var description: String {
            switch self {
            case let .notConfigured(helpdesk):
                "no webhook secret is configured for \(helpdesk.rawValue): set \(HelpdeskWebhookVerifier.environmentVariable(helpdesk)) "
                    + "where the service starts (docs/HELPDESKS.md)"
            case let .missingHeader(name):
                "the delivery has no \(name) header; only signed deliveries are accepted (docs/HELPDESKS.md)"
            case let .badSignature(helpdesk):
                "the \(helpdesk.rawValue) signature does not match the body under the configured secret"
            case let .malformedTimestamp(value):
                "the signature timestamp \"\(value.prefix(64))\" is not an ISO 8601 date"
            case let .staleTimestamp(seconds):
                "the signature timestamp is \(seconds) s from the service's clock, more than "
                    + "\(Int(HelpdeskWebhookVerifier.maximumClockSkew)) s: a replayed delivery, or a clock that is wrong"
            }
        }
    }

    /// How far a Zendesk signature timestamp may be from now, either way: five minutes.
    public static let maximumClockSkew: TimeInterval = 300
    /// Zendesk's signature header.
    public static let zendeskSignatureHeader = "X-Zendesk-Webhook-Signature"
    /// Zendesk's timestamp header.
    public static let zendeskTimestampHeader = "X-Zendesk-Webhook-Signature-Timestamp"
    /// Intercom's signature header.
    public static let intercomSignatureHeader = "X-Hub-Signature"
    /// The custom header a Freshdesk automation is set up to send (docs/HELPDESKS.md).
    public static let freshdeskSecretHeader = "X-Loopdesk-Webhook-Secret"

    /// The environment variable holding a helpdesk's webhook secret.
    public static func environmentVariable(_ helpdesk: Helpdesk) -> String {
        helpdesk.rawValue.uppercased() + "_WEBHOOK_SECRET"
    }

    /// Accepts a delivery, or says why not.
    /// - Parameters:
    ///   - helpdesk: the helpdesk whose route was called.
    ///   - header: the request's header value by (case-insensitive) name.
    ///   - body: the raw body bytes, exactly as received.
    ///   - secret: the configured secret; nil refuses everything.
    ///   - now: the wall clock (a helpdesk signs with real time, even when the service's clock is shifted).
    /// - Throws: ``Refusal``.
    public static func verify(_ helpdesk: Helpdesk, header: (String) -> String?, body: Data, secret: String?,
                              now: Date) throws(Refusal) {
        guard let secret, !secret.isEmpty else { throw .notConfigured(helpdesk) }
        let key = SymmetricKey(data: Data(secret.utf8))
        switch helpdesk {
        case .zendesk:
            guard let signature = header(zendeskSignatureHeader) else { throw .missingHeader(zendeskSignatureHeader) }
            guard let timestamp = header(zendeskTimestampHeader) else { throw .missingHeader(zendeskTimestampHeader) }
            guard let mac = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)),
                  HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(timestamp.utf8) + body, using: key)
            else { throw .badSignature(.zendesk) }
            // Checked after the signature, so an attacker learns nothing about the clock.
            guard let signedAt = parseTimestamp(timestamp) else { throw .malformedTimestamp(timestamp) }
            let skew = abs(now.timeIntervalSince(signedAt))
            guard skew <= maximumClockSkew else { throw .staleTimestamp(seconds: Int(skew.rounded())) }
        case .intercom:
            guard let signature = header(intercomSignatureHeader) else { throw .missingHeader(intercomSignatureHeader) }
            let value = signature.trimmingCharacters(in: .whitespaces)
            guard value.hasPrefix("sha1="), let mac = Data(hex: value.dropFirst("sha1=".count)),
                  HMAC<Insecure.SHA1>.isValidAuthenticationCode(mac, authenticating: body, using: key)
            else { throw .badSignature(.intercom) }
        case .freshdesk:
            guard let given = header(freshdeskSecretHeader) else { throw .missingHeader(freshdeskSecretHeader) }
            // Compared as HMACs of the two values: equal length, constant time, whatever was sent.
            let expected = HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: key)
            guard HMAC<SHA256>.isValidAuthenticationCode(Data(expected), authenticating: Data(given.utf8), using: key)
            else { throw .badSignature(.freshdesk) }
        }
    }

    /// An ISO 8601 instant, with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

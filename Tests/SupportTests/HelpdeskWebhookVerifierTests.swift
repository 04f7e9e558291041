import Foundation
import Support
import XCTest

/// HelpdeskWebhookVerifier.swift: each helpdesk's signature scheme, against values computed
/// independently (Python's hmac module), and every way a delivery is refused.
final class HelpdeskWebhookVerifierTests: XCTestCase {
    private let body = Data(#"{"type":"zen:event-type:ticket.status_changed","id":"01HZ","time":"2026-12-04T19:40:00Z","detail":{"id":"42"},"event":{"previous":"open","current":"solved"}}"#.utf8)
    /// base64(HMAC-SHA256("zendesk-signing-secret", "2026-12-04T19:40:00Z" + body)), from Python.
    private let zendeskSignature = "xka3lM51zf7OqzI6iPWCHfegyI5dCGPNfwuiO10vOfw="
    /// "sha1=" + hex HMAC-SHA1("intercom-client-secret", body), from Python.
    private let intercomSignature = "sha1=deeb49c9a74ab3dbfb09e22b636d03cfab49334c"
    private let signedAt = ISO8601DateFormatter().date(from: "2026-12-04T19:40:00Z")!

    private func verify(_ helpdesk: HelpdeskWebhookVerifier.Helpdesk, _ headers: [String: String], body: Data? = nil,
                        secret: String?, now: Date? = nil) throws(HelpdeskWebhookVerifier.Refusal) {
        let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        try HelpdeskWebhookVerifier.verify(helpdesk, header: { lowered[$0.lowercased()] }, body: body ?? self.body,
                                           secret: secret, now: now ?? signedAt.addingTimeInterval(12))
    }

    /// The refusal `body` throws; nil when it accepts.
    private func refusal(_ body: () throws -> Void) -> HelpdeskWebhookVerifier.Refusal? {
        do {
            try body()
        } catch let refusal as HelpdeskWebhookVerifier.Refusal {
            return refusal
        } catch {
            XCTFail("not a refusal: \(error)")
        }
        return nil
    }

    private var zendeskHeaders: [String: String] {
        ["X-Zendesk-Webhook-Signature": zendeskSignature, "X-Zendesk-Webhook-Signature-Timestamp": "2026-12-04T19:40:00Z"]
    }

    func testAZendeskDeliverySignedOverTimestampAndBodyIsAccepted() throws {
        try verify(.zendesk, zendeskHeaders, secret: "zendesk-signing-secret")
        XCTAssertNil(refusal { try verify(.zendesk, zendeskHeaders, secret: "zendesk-signing-secret", now: signedAt.addingTimeInterval(-299)) },
                     "a clock a little behind Zendesk's is fine")
    }

    func testAZendeskDeliveryIsRefusedForAnyChangeToBodyTimestampOrSecret() {
        var altered = body
        altered[altered.count - 3] = UInt8(ascii: "X")
        XCTAssertEqual(refusal { try verify(.zendesk, zendeskHeaders, body: altered, secret: "zendesk-signing-secret") }, .badSignature(.zendesk))
        var retimed = zendeskHeaders
        retimed["X-Zendesk-Webhook-Signature-Timestamp"] = "2026-12-04T19:40:01Z"
        XCTAssertEqual(refusal { try verify(.zendesk, retimed, secret: "zendesk-signing-secret") }, .badSignature(.zendesk),
                       "the timestamp is signed: moving it breaks the signature")
        XCTAssertEqual(refusal { try verify(.zendesk, zendeskHeaders, secret: "another-secret") }, .badSignature(.zendesk))
        var garbage = zendeskHeaders
        garbage["X-Zendesk-Webhook-Signature"] = "not base64 at all!"
        XCTAssertEqual(refusal { try verify(.zendesk, garbage, secret: "zendesk-signing-secret") }, .badSignature(.zendesk))
    }

    func testAZendeskDeliveryOlderOrNewerThanFiveMinutesIsAReplay() {
        XCTAssertEqual(refusal { try verify(.zendesk, zendeskHeaders, secret: "zendesk-signing-secret", now: signedAt.addingTimeInterval(301)) },
                       .staleTimestamp(seconds: 301))
        XCTAssertEqual(refusal { try verify(.zendesk, zendeskHeaders, secret: "zendesk-signing-secret", now: signedAt.addingTimeInterval(-600)) },
                       .staleTimestamp(seconds: 600))
    }

    func testMissingHeadersAndMissingSecretsAreRefusedWithTheirNames() {
        XCTAssertEqual(refusal { try verify(.zendesk, [:], secret: "zendesk-signing-secret") },
                       .missingHeader("X-Zendesk-Webhook-Signature"))
        XCTAssertEqual(refusal { try verify(.zendesk, ["X-Zendesk-Webhook-Signature": zendeskSignature], secret: "zendesk-signing-secret") },
                       .missingHeader("X-Zendesk-Webhook-Signature-Timestamp"))
        XCTAssertEqual(refusal { try verify(.zendesk, zendeskHeaders, secret: nil) }, .notConfigured(.zendesk))
        XCTAssertEqual(refusal { try verify(.intercom, ["X-Hub-Signature": intercomSignature], secret: "") }, .notConfigured(.intercom),
                       "an empty secret is no secret")
        XCTAssertTrue(HelpdeskWebhookVerifier.Refusal.notConfigured(.freshdesk).description.contains("FRESHDESK_WEBHOOK_SECRET"))
    }

    func testAnIntercomDeliveryCarriesTheSHA1OfItsBody() {
        XCTAssertNil(refusal { try verify(.intercom, ["X-Hub-Signature": intercomSignature], secret: "intercom-client-secret") })
        XCTAssertEqual(refusal { try verify(.intercom, ["X-Hub-Signature": intercomSignature], secret: "other") }, .badSignature(.intercom))
        XCTAssertEqual(refusal { try verify(.intercom, ["X-Hub-Signature": String(intercomSignature.dropFirst(5))], secret: "intercom-client-secret") },
                       .badSignature(.intercom), "without its sha1= prefix")
        XCTAssertEqual(refusal { try verify(.intercom, [:], secret: "intercom-client-secret") }, .missingHeader("X-Hub-Signature"))
    }

    func testAFreshdeskDeliveryCarriesTheSharedSecret() {
        XCTAssertNil(refusal { try verify(.freshdesk, ["X-Loopdesk-Webhook-Secret": "fd-shared-secret"], secret: "fd-shared-secret") })
        XCTAssertEqual(refusal { try verify(.freshdesk, ["X-Loopdesk-Webhook-Secret": "fd-shared-secreT"], secret: "fd-shared-secret") },
                       .badSignature(.freshdesk))
        XCTAssertEqual(refusal { try verify(.freshdesk, ["X-Loopdesk-Webhook-Secret": "fd-shared-secret-and-more"], secret: "fd-shared-secret") },
                       .badSignature(.freshdesk), "a longer value that starts with the secret")
        XCTAssertEqual(refusal { try verify(.freshdesk, ["X-Loopdesk-Webhook-Secret": ""], secret: "fd-shared-secret") }, .badSignature(.freshdesk))
    }
}

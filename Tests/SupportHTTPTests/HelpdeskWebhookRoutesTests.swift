import Crypto
import Foundation
import HTTPTypes
import Support
import SupportHTTP
import XCTest

/// `POST /v1/events/{zendesk,freshdesk,intercom}`: signed deliveries are recorded without the
/// bearer token; unsigned, forged or replayed ones are refused with 401, whatever token they carry.
final class HelpdeskWebhookRoutesTests: XCTestCase {
    private static let secrets: [HelpdeskWebhookVerifier.Helpdesk: String] = [
        .zendesk: "zendesk-signing-secret", .freshdesk: "fd-shared-secret", .intercom: "intercom-client-secret",
    ]

    private static func zendeskSolved(ticket: String, id: String) -> String {
        #"{"type":"zen:event-type:ticket.status_changed","id":"\#(id)","time":"2026-12-04T19:40:00Z","detail":{"id":"\#(ticket)"},"event":{"previous":"open","current":"solved"}}"#
    }

    private static func zendeskHeaders(_ body: String, secret: String = "zendesk-signing-secret", at date: Date = Date()) -> HTTPFields {
        let timestamp = ISO8601DateFormatter().string(from: date)
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return [HTTPField.Name("X-Zendesk-Webhook-Signature")!: Data(mac).base64EncodedString(),
                HTTPField.Name("X-Zendesk-Webhook-Signature-Timestamp")!: timestamp]
    }

    private static func status(of response: APIResponse) -> String? {
        (response.json["outcomes"] as? [[String: Any]])?.first?["status"] as? String
    }

    func testASignedZendeskDeliveryIsRecordedOnceAndItsRedeliveryIsADuplicate() async throws {
        try await withAPI(configure: { $0.helpdeskSecrets = Self.secrets }) { harness, api in
            try await api.importSampleArticles()
            let asked = try await api.post("/v1/ask", json: ["text": "Export your data as CSV", "conversation_id": "42"])
            XCTAssertEqual(asked.status, 200, asked.text)
            let body = Self.zendeskSolved(ticket: "42", id: "evt-z1")
            let first = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil, headers: Self.zendeskHeaders(body))
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(Self.status(of: first), "recorded", first.text)
            let again = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil, headers: Self.zendeskHeaders(body))
            XCTAssertEqual(again.status, 200, again.text)
            XCTAssertEqual(Self.status(of: again), "duplicate", "Zendesk retries a delivery; it is acknowledged, not applied twice")
            let impression = try XCTUnwrap(asked.json["impression_id"] as? String)
            let key = try XCTUnwrap(AnswerRecord.key(fromImpressionID: impression))
            XCTAssertEqual(try harness.service.store.outcomes(answerKey: key).map(\.kind), [.resolved])
        }
    }

    func testForgedReplayedAndUnsignedZendeskDeliveriesAreRefusedAndChangeNothing() async throws {
        try await withAPI(configure: { $0.helpdeskSecrets = Self.secrets }) { harness, api in
            try await api.importSampleArticles()
            let asked = try await api.post("/v1/ask", json: ["text": "Export your data as CSV", "conversation_id": "43"])
            let body = Self.zendeskSolved(ticket: "43", id: "evt-z2")
            let forged = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil,
                                            headers: Self.zendeskHeaders(body, secret: "guessed-secret"))
            XCTAssertEqual(forged.status, 401, forged.text)
            XCTAssertTrue(forged.errorMessage.contains("signature does not match"), forged.errorMessage)
            let replayed = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil,
                                              headers: Self.zendeskHeaders(body, at: Date(timeIntervalSinceNow: -360)))
            XCTAssertEqual(replayed.status, 401, replayed.text)
            XCTAssertTrue(replayed.errorMessage.contains("replayed"), replayed.errorMessage)
            let tokenOnly = try await api.send(.post, "/v1/events/zendesk", body: body)
            XCTAssertEqual(tokenOnly.status, 401, "the bearer token does not stand in for the signature by default")
            XCTAssertTrue(tokenOnly.errorMessage.contains("X-Zendesk-Webhook-Signature"), tokenOnly.errorMessage)
            let impression = try XCTUnwrap(asked.json["impression_id"] as? String)
            let key = try XCTUnwrap(AnswerRecord.key(fromImpressionID: impression))
            XCTAssertEqual(try harness.service.store.outcomes(answerKey: key).count, 0, "nothing refused was recorded")
        }
    }

    func testAHelpdeskWithoutASecretIsRefusedAndTheTokenPassesOnlyWhenConfigured() async throws {
        try await withAPI { _, api in
            let body = Self.zendeskSolved(ticket: "44", id: "evt-z3")
            let unconfigured = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil, headers: Self.zendeskHeaders(body))
            XCTAssertEqual(unconfigured.status, 401)
            XCTAssertTrue(unconfigured.errorMessage.contains("ZENDESK_WEBHOOK_SECRET"), unconfigured.errorMessage)
        }
        try await withAPI(configure: { $0.helpdeskRoutesAcceptToken = true }) { _, api in
            let body = Self.zendeskSolved(ticket: "44", id: "evt-z3")
            let withToken = try await api.send(.post, "/v1/events/zendesk", body: body)
            XCTAssertEqual(withToken.status, 200, withToken.text)
            XCTAssertEqual(Self.status(of: withToken), "ignored", "accepted, and ticket 44 was never asked")
            let wrongToken = try await api.send(.post, "/v1/events/zendesk", body: body, token: "not-the-token")
            XCTAssertEqual(wrongToken.status, 401, wrongToken.text)
        }
    }

    func testIntercomAndFreshdeskDeliveriesCarryTheirOwnProof() async throws {
        try await withAPI(configure: { $0.helpdeskSecrets = Self.secrets }) { _, api in
            let intercom = #"{"type":"notification_event","id":"notif-1","topic":"conversation.admin.closed","created_at":1764877200,"data":{"item":{"id":"c-9"}}}"#
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(intercom.utf8), using: SymmetricKey(data: Data("intercom-client-secret".utf8)))
            let signature = "sha1=" + mac.map { String(format: "%02x", $0) }.joined()
            let hub = HTTPField.Name("X-Hub-Signature")!
            let signed = try await api.send(.post, "/v1/events/intercom", body: intercom, token: nil, headers: [hub: signature])
            XCTAssertEqual(signed.status, 200, signed.text)
            let tampered = try await api.send(.post, "/v1/events/intercom", body: intercom.replacingOccurrences(of: "c-9", with: "c-8"),
                                              token: nil, headers: [hub: signature])
            XCTAssertEqual(tampered.status, 401, tampered.text)

            let freshdesk = #"{"freshdesk_webhook":{"ticket_id":"77","ticket_status":"Resolved","event_id":"fd-1"}}"#
            let secretHeader = HTTPField.Name("X-Loopdesk-Webhook-Secret")!
            let shared = try await api.send(.post, "/v1/events/freshdesk", body: freshdesk, token: nil, headers: [secretHeader: "fd-shared-secret"])
            XCTAssertEqual(shared.status, 200, shared.text)
            let guessed = try await api.send(.post, "/v1/events/freshdesk", body: freshdesk, token: nil, headers: [secretHeader: "fd-shared"])
            XCTAssertEqual(guessed.status, 401, guessed.text)
        }
    }
}

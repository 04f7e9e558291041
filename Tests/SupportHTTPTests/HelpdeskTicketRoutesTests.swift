import Crypto
import Foundation
import HTTPTypes
import LoopdeskTestSupport
import Support
import SupportHTTP
import XCTest

/// A new Zendesk ticket arrives by Zendesk's signed webhook and is answered in Zendesk, end to
/// end through `POST /v1/events/zendesk`, against the Zendesk test double: one public reply for
/// a live topic, one note for a shadow one; a bad signature writes nothing; a redelivery is a
/// duplicate; `/v1/health` shows what is still owed.
final class HelpdeskTicketRoutesTests: XCTestCase {
    private static let secret = "zendesk-signing-secret"

    private static func created(ticket: String, id: String, text: String) -> String {
        #"{"type":"zen:event-type:ticket.created","account_id":1,"id":"\#(id)","time":"2026-12-04T17:18:10Z","subject":"zen:ticket:\#(ticket)","#
            + #""detail":{"id":"\#(ticket)","subject":"","description":"\#(text)","status":"NEW","tags":["web"],"via":{"channel":"web"}},"event":{}}"#
    }

    private static func signed(_ body: String, secret: String = HelpdeskTicketRoutesTests.secret) -> HTTPFields {
        let timestamp = ISO8601DateFormatter().string(from: Date())
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return [HTTPField.Name("X-Zendesk-Webhook-Signature")!: Data(mac).base64EncodedString(),
                HTTPField.Name("X-Zendesk-Webhook-Signature-Timestamp")!: timestamp]
    }

    private static func waitFor(_ seconds: Double, _ condition: () -> Bool) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
    }

    func testASignedNewTicketIsAnsweredOnceInZendeskAndABadSignatureWritesNothing() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: "bot@acme.com", apiToken: "zd-token")
        defer { zendesk.stop() }
        try await withAPI(configure: { $0.helpdeskSecrets = [.zendesk: Self.secret] }, support: { support in
            support.policy.fixedThreshold = 0
            support.helpdesks.accounts[.zendesk] = .init(baseURL: zendesk.baseURL, user: "bot@acme.com", secret: "zd-token")
        }) { harness, api in
            try await api.importSampleArticles()
            try harness.service.setMode(.shadow, ofTopic: "billing")

            let forged = Self.created(ticket: "35436", id: "evt-1", text: "How do I export my data as CSV?")
            let refused = try await api.send(.post, "/v1/events/zendesk", body: forged, token: nil, headers: Self.signed(forged, secret: "wrong"))
            XCTAssertEqual(refused.status, 401, refused.text)
            XCTAssertFalse(try harness.service.store.conversationExists(id: "35436"), "a refused delivery is not asked")

            let live = try await api.send(.post, "/v1/events/zendesk", body: forged, token: nil, headers: Self.signed(forged))
            XCTAssertEqual(live.status, 200, live.text)
            let question = try XCTUnwrap((live.json["questions"] as? [[String: Any]])?.first)
            XCTAssertEqual(question["status"] as? String, "queued", live.text)
            XCTAssertEqual(question["write_back"] as? String, "public_reply", live.text)
            XCTAssertEqual(question["ticket_id"] as? String, "35436")

            let shadow = Self.created(ticket: "35437", id: "evt-2", text: "Are annual plans refunded?")
            let noted = try await api.send(.post, "/v1/events/zendesk", body: shadow, token: nil, headers: Self.signed(shadow))
            XCTAssertEqual((noted.json["questions"] as? [[String: Any]])?.first?["write_back"] as? String, "internal_note", noted.text)

            await Self.waitFor(10) { zendesk.comments.count >= 2 }
            let again = try await api.send(.post, "/v1/events/zendesk", body: forged, token: nil, headers: Self.signed(forged))
            XCTAssertEqual((again.json["questions"] as? [[String: Any]])?.first?["status"] as? String, "duplicate", again.text)
            await Self.waitFor(1) { false }
            XCTAssertEqual(zendesk.requests.count, 2, "nothing refused was written, nothing twice")
            XCTAssertEqual(zendesk.comments.map(\.ticketID), ["35436", "35437"])
            XCTAssertEqual(zendesk.comments.map(\.isPublic), [true, false])
            XCTAssertEqual(zendesk.requests.map(\.path), ["/api/v2/tickets/35436.json", "/api/v2/tickets/35437.json"])

            let health = try await api.send(.get, "/v1/health")
            let writes = try XCTUnwrap(health.json["helpdesk_writes"] as? [String: Any], health.text)
            XCTAssertEqual(writes["pending"] as? Int, 0)
            XCTAssertEqual(writes["failed"] as? Int, 0)
            let metrics = try await api.send(.get, "/metrics")
            XCTAssertTrue(metrics.text.contains("loopdesk_helpdesk_writes_pending{workspace=\"default\"} 0"), metrics.text)
        }
    }

    func testWithoutAWriteBackAccountANewTicketIsAcknowledgedAndNotAsked() async throws {
        try await withAPI(configure: { $0.helpdeskSecrets = [.zendesk: Self.secret] }) { harness, api in
            let body = Self.created(ticket: "77", id: "evt-3", text: "How do I reset my password?")
            let response = try await api.send(.post, "/v1/events/zendesk", body: body, token: nil, headers: Self.signed(body))
            XCTAssertEqual(response.status, 200, response.text)
            XCTAssertEqual((response.json["questions"] as? [[String: Any]])?.first?["status"] as? String, "not_configured")
            XCTAssertFalse(try harness.service.store.conversationExists(id: "77"))
            let health = try await api.send(.get, "/v1/health")
            XCTAssertNil(health.json["helpdesk_writes"], "no write-back, nothing to show")
        }
    }
}

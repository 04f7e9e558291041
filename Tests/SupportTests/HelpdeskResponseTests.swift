import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Support
import XCTest

/// The write-back's two ends that decide: what a helpdesk's answer means (``HelpdeskResponse``)
/// and the exact request each helpdesk is sent (``HelpdeskWriteRequest``), and the accounts'
/// configuration (``HelpdeskAccounts``).
final class HelpdeskResponseTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_764_000_000)

    private func verdict(_ status: Int, _ headers: [String: String] = [:], _ helpdesk: HelpdeskWebhookVerifier.Helpdesk = .zendesk) -> DeliveryVerdict {
        HelpdeskResponse.verdict(status: status, helpdesk: helpdesk, header: { headers[$0] }, now: now)
    }

    func testEachStatusMeansWhatTheHelpdesksDocument() {
        XCTAssertEqual(verdict(200), .delivered)
        XCTAssertEqual(verdict(201, [:], .freshdesk), .delivered)
        XCTAssertEqual(verdict(429, ["Retry-After": "7"]), .retry(reason: "HTTP 429: zendesk rate limit", wait: .seconds(7)))
        XCTAssertEqual(verdict(429), .retry(reason: "HTTP 429: zendesk rate limit", wait: .backoff))
        guard case .retry(let reason, .slowest) = verdict(401, [:], .freshdesk) else { return XCTFail("401 waits for a person") }
        XCTAssertTrue(reason.contains("FRESHDESK_API_KEY"), reason)
        guard case .retry(_, .slowest) = verdict(403) else { return XCTFail("403 waits for a person") }
        guard case .abandon(let gone) = verdict(404) else { return XCTFail("a missing ticket is abandoned") }
        XCTAssertTrue(gone.contains("HTTP 404"), gone)
        guard case .abandon = verdict(422) else { return XCTFail("a refused request is abandoned") }
        guard case .abandon = verdict(400, [:], .intercom) else { return XCTFail("a refused request is abandoned") }
        XCTAssertEqual(verdict(409), .retry(reason: "HTTP 409", wait: .backoff))
        XCTAssertEqual(verdict(503), .retry(reason: "HTTP 503", wait: .backoff))
        guard case .retry(_, .backoff) = verdict(302) else { return XCTFail("a redirect is not followed") }
    }

    func testRetryAfterAsADateIntercomsResetAndAnAbsurdValue() {
        XCTAssertEqual(verdict(429, ["Retry-After": "Mon, 24 Nov 2025 16:00:30 GMT"]),
                       .retry(reason: "HTTP 429: zendesk rate limit", wait: .seconds(30)), "an HTTP date 30 s ahead")
        XCTAssertEqual(verdict(429, ["X-RateLimit-Reset": String(Int(now.timeIntervalSince1970) + 10)], .intercom),
                       .retry(reason: "HTTP 429: intercom rate limit", wait: .seconds(10)))
        XCTAssertEqual(verdict(429, ["Retry-After": "99999999"]),
                       .retry(reason: "HTTP 429: zendesk rate limit", wait: .seconds(HelpdeskResponse.maximumRetryAfter)))
        XCTAssertEqual(verdict(429, ["Retry-After": "soon"]), .retry(reason: "HTTP 429: zendesk rate limit", wait: .backoff))
    }

    private func account(_ base: String, user: String, secret: String) throws -> HelpdeskAccounts.Account {
        HelpdeskAccounts.Account(baseURL: try XCTUnwrap(URL(string: base)), user: user, secret: secret)
    }

    private func body(_ request: URLRequest) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(request.httpBody)) as? [String: Any])
    }

    func testEachHelpdesksRequestIsAsItsApiReferenceSays() throws {
        let note = HelpdeskComment(ticketID: "35436", visibility: .internalNote, body: "Line one\nA <b> & \"c\"\n\nSecond")
        let zendesk = try HelpdeskWriteRequest.make(note, helpdesk: .zendesk, account: try account("https://acme.zendesk.com", user: "a@acme.com", secret: "tok"), timeout: 5)
        XCTAssertEqual(zendesk.httpMethod, "PUT")
        XCTAssertEqual(zendesk.url?.absoluteString, "https://acme.zendesk.com/api/v2/tickets/35436.json")
        XCTAssertEqual(zendesk.value(forHTTPHeaderField: "Authorization"), "Basic " + Data("a@acme.com/token:tok".utf8).base64EncodedString())
        let comment = try XCTUnwrap((try body(zendesk)["ticket"] as? [String: Any])?["comment"] as? [String: Any])
        XCTAssertEqual(comment["public"] as? Bool, false)
        XCTAssertEqual(comment["body"] as? String, note.body, "Zendesk takes plain text")

        let freshdesk = try HelpdeskWriteRequest.make(note, helpdesk: .freshdesk, account: try account("https://acme.freshdesk.com", user: "", secret: "key"), timeout: 5)
        XCTAssertEqual(freshdesk.httpMethod, "POST")
        XCTAssertEqual(freshdesk.url?.path, "/api/v2/tickets/35436/notes")
        XCTAssertEqual(freshdesk.value(forHTTPHeaderField: "Authorization"), "Basic " + Data("key:X".utf8).base64EncodedString())
        XCTAssertEqual(try body(freshdesk)["private"] as? Bool, true)
        XCTAssertEqual(try body(freshdesk)["body"] as? String, "<p>Line one<br>A &lt;b&gt; &amp; &quot;c&quot;</p><p>Second</p>")
        var reply = note
        reply.visibility = .publicReply
        let freshdeskReply = try HelpdeskWriteRequest.make(reply, helpdesk: .freshdesk, account: try account("https://acme.freshdesk.com", user: "", secret: "key"), timeout: 5)
        XCTAssertEqual(freshdeskReply.url?.path, "/api/v2/tickets/35436/reply")
        XCTAssertNil(try body(freshdeskReply)["private"])

        let intercom = try HelpdeskWriteRequest.make(reply, helpdesk: .intercom, account: try account("https://api.intercom.io", user: "814860", secret: "t"), timeout: 5)
        XCTAssertEqual(intercom.url?.absoluteString, "https://api.intercom.io/conversations/35436/reply")
        XCTAssertEqual(intercom.value(forHTTPHeaderField: "Authorization"), "Bearer t")
        XCTAssertEqual(try body(intercom)["message_type"] as? String, "comment")
        XCTAssertEqual(try body(intercom)["type"] as? String, "admin")
        XCTAssertEqual(try body(intercom)["admin_id"] as? String, "814860")
    }

    func testATicketIdThatWouldChangeThePathIsRefused() throws {
        for id in ["../users/1", "1?x=2", "1/notes", "", String(repeating: "9", count: 65), "１２"] {
            XCTAssertFalse(HelpdeskComment.isValidTicketID(id), id)
            let comment = HelpdeskComment(ticketID: id, visibility: .publicReply, body: "x")
            XCTAssertThrowsError(try HelpdeskWriteRequest.make(comment, helpdesk: .zendesk,
                                                               account: try account("https://a.zendesk.com", user: "u", secret: "s"), timeout: 5))
        }
        XCTAssertTrue(HelpdeskComment.isValidTicketID("35436"))
        XCTAssertTrue(HelpdeskComment.isValidTicketID("conv_AbC-1"))
    }

    func testAccountsNeedTheirCredentialsAndASafeURL() throws {
        let environment = ["ZENDESK_EMAIL": "a@acme.com", "ZENDESK_API_TOKEN": "tok"]
        let accounts = try HelpdeskAccounts.from(urls: [.zendesk: "https://acme.zendesk.com/"], environment: environment)
        XCTAssertEqual(accounts.accounts[.zendesk]?.baseURL.absoluteString, "https://acme.zendesk.com", "a trailing slash is dropped")
        XCTAssertEqual(accounts.accounts[.zendesk]?.user, "a@acme.com")
        XCTAssertNotNil(try HelpdeskAccounts.from(urls: [.zendesk: "http://127.0.0.1:9000"], environment: environment).accounts[.zendesk])
        XCTAssertThrowsError(try HelpdeskAccounts.from(urls: [.zendesk: "http://acme.zendesk.com"], environment: environment)) { error in
            XCTAssertTrue("\(error)".contains("must be https://"), "\(error)")
        }
        XCTAssertThrowsError(try HelpdeskAccounts.from(urls: [.zendesk: "https://acme.zendesk.com"], environment: ["ZENDESK_EMAIL": "a"])) { error in
            XCTAssertTrue("\(error)".contains("ZENDESK_API_TOKEN"), "\(error)")
        }
        XCTAssertThrowsError(try HelpdeskAccounts.from(urls: [.intercom: "https://api.intercom.io"], environment: ["INTERCOM_ACCESS_TOKEN": "t"])) { error in
            XCTAssertTrue("\(error)".contains("INTERCOM_ADMIN_ID"), "\(error)")
        }
        XCTAssertEqual(try HelpdeskAccounts.from(urls: [:], environment: environment), HelpdeskAccounts(), "no flag, no write-back")
    }
}

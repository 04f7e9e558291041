import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// Answering where the ticket is, against test doubles of each helpdesk's REST API
/// (`LoopdeskTestSupport/Fakes`) and a real core: which comment is written, in the vendor's
/// exact request shape; retries with back-off and `Retry-After`; never twice, across a restart.
final class HelpdeskWriteBackTests: XCTestCase {
    private let email = "agent@example.com"
    private let apiToken = "zd-api-token-42"
    private let passwordQuestion = "how do I reset my password"

    private func waitFor(_ seconds: Double, _ condition: () -> Bool) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
    }

    private func zendeskAccount(_ fake: FakeHelpdeskAPI) -> HelpdeskAccounts {
        var accounts = HelpdeskAccounts()
        accounts.accounts[.zendesk] = .init(baseURL: fake.baseURL, user: email, secret: apiToken)
        return accounts
    }

    private func question(_ ticket: String, _ text: String, event: String = UUID().uuidString,
                          helpdesk: HelpdeskWebhookVerifier.Helpdesk = .zendesk) -> HelpdeskQuestion {
        HelpdeskQuestion(helpdesk: helpdesk, ticketID: ticket, text: text, eventID: "\(helpdesk.rawValue):\(event)")
    }

    private func service(_ harness: SupportHarness, accounts: HelpdeskAccounts, threshold: Double = 0,
                         backoff: TimeInterval = 5) async throws -> SupportService {
        let service = try await harness.service {
            $0.policy.fixedThreshold = threshold
            $0.helpdesks = accounts
            $0.gaps.webhookBackoff = backoff
        }
        try await service.upsertArticles(SupportHarness.articles)
        return service
    }

    func testALiveAnswerIsOnePublicReplyInZendesksRequestShape() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken)
        defer { zendesk.stop() }
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: zendeskAccount(zendesk))
        let answer = try await service.answerHelpdeskQuestion(question("35436", passwordQuestion))
        XCTAssertEqual(answer.status, "queued")
        XCTAssertEqual(answer.decision, .answer)
        XCTAssertEqual(answer.writeBack, .publicReply)
        await waitFor(10) { zendesk.comments.count >= 1 }
        XCTAssertEqual(zendesk.comments.count, 1)
        let request = try XCTUnwrap(zendesk.requests.first)
        XCTAssertEqual(request.method, "PUT")
        XCTAssertEqual(request.path, "/api/v2/tickets/35436.json")
        XCTAssertEqual(request.headers["authorization"], "Basic " + Data("\(email)/token:\(apiToken)".utf8).base64EncodedString())
        XCTAssertEqual(request.headers["content-type"], "application/json")
        let comment = try XCTUnwrap((request.json?["ticket"] as? [String: Any])?["comment"] as? [String: Any])
        XCTAssertEqual(comment["public"] as? Bool, true)
        XCTAssertTrue((comment["body"] as? String)?.contains("Reset password") == true, "\(comment)")
        XCTAssertEqual(Set(comment.keys), ["body", "public"])
        // The conversation is the ticket: its solve later finds this answer.
        XCTAssertTrue(try service.store.conversationExists(id: "35436"))
        await waitFor(1) { false }
        XCTAssertEqual(try service.helpdeskBacklog(), WebhookBacklog(pending: 0, failed: 0, lastError: nil))
        await service.close()
    }

    func testAShadowTopicGetsOneInternalNoteAndAnOffTopicNothing() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken)
        defer { zendesk.stop() }
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: zendeskAccount(zendesk))
        try service.setMode(.shadow, ofTopic: "account")
        try service.setMode(.off, ofTopic: "billing")
        let shadow = try await service.answerHelpdeskQuestion(question("501", passwordQuestion))
        XCTAssertEqual(shadow.writeBack, .internalNote)
        XCTAssertEqual(shadow.mode, .shadow)
        let off = try await service.answerHelpdeskQuestion(question("502", "my card was declined, why"))
        XCTAssertEqual(off.status, "off")
        XCTAssertNil(off.writeBack)
        await waitFor(10) { zendesk.comments.count >= 1 }
        await waitFor(1) { false }
        XCTAssertEqual(zendesk.comments.count, 1, "the off topic writes nothing")
        let note = try XCTUnwrap(zendesk.comments.first)
        XCTAssertEqual(note.ticketID, "501")
        XCTAssertFalse(note.isPublic)
        XCTAssertTrue(note.body.contains("shadow mode"), note.body)
        XCTAssertTrue(note.body.contains("Article: Reset your password (reset-password)"), note.body)
        XCTAssertTrue(note.body.contains("confidence"), note.body)
        await service.close()
    }

    func testTwoServerErrorsThenSuccessAreExactlyOneReplyWithTheThirdAttemptWithin20Seconds() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken, faults: [.status(500), .status(500)])
        defer { zendesk.stop() }
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: zendeskAccount(zendesk))   // the default back-off
        _ = try await service.answerHelpdeskQuestion(question("600", passwordQuestion))
        await waitFor(25) { zendesk.comments.count >= 1 }
        await waitFor(1) { false }
        XCTAssertEqual(zendesk.requests.count, 3)
        XCTAssertEqual(zendesk.comments.count, 1, "exactly one reply")
        let times = zendesk.requests.map(\.arrivedAt)
        XCTAssertLessThanOrEqual(times[2].timeIntervalSince(times[0]), 20, "the third attempt within 20 s of the first")
        XCTAssertGreaterThan(times[2].timeIntervalSince(times[1]), times[1].timeIntervalSince(times[0]), "backing off")
        await service.close()
    }

    func testA429sRetryAfterIsHonoured() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken, faults: [.rateLimited(retryAfter: 2)])
        defer { zendesk.stop() }
        let harness = try SupportHarness()
        // A back-off of 0.1 s: an early second attempt would show the header was ignored.
        let service = try await service(harness, accounts: zendeskAccount(zendesk), backoff: 0.1)
        _ = try await service.answerHelpdeskQuestion(question("700", passwordQuestion))
        await waitFor(10) { zendesk.comments.count >= 1 }
        XCTAssertEqual(zendesk.requests.count, 2)
        let times = zendesk.requests.map(\.arrivedAt)
        XCTAssertGreaterThanOrEqual(times[1].timeIntervalSince(times[0]), 1.9, "waited as Retry-After asked")
        XCTAssertEqual(zendesk.comments.count, 1)
        await service.close()
    }

    func testARestartBetweenAcceptAndDeliveryStillWritesExactlyOneReply() async throws {
        // Nothing listens on the account's port while the first service runs.
        let gone = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken)
        let port = gone.server.port
        let accounts = zendeskAccount(gone)
        gone.stop()
        let harness = try SupportHarness()
        let first = try await service(harness, accounts: accounts)
        let asked = question("800", passwordQuestion, event: "evt-800")
        let accepted = try await first.answerHelpdeskQuestion(asked)
        XCTAssertEqual(accepted.status, "queued")
        await waitFor(10) { (try? first.store.webhookDelivery(eventID: SupportService.outboxEventID(for: asked)))??.attempts == 1 }
        await first.close()

        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken, port: port)
        defer { zendesk.stop() }
        let second = try await harness.service {
            $0.policy.fixedThreshold = 0
            $0.helpdesks = accounts
        }
        second.startBackgroundDelivery()
        await waitFor(15) { zendesk.comments.count >= 1 }
        // The helpdesk delivers the same webhook again after the restart: acknowledged, not answered twice.
        let again = try await second.answerHelpdeskQuestion(asked)
        XCTAssertEqual(again.status, "duplicate")
        await waitFor(1) { false }
        XCTAssertEqual(zendesk.comments.count, 1, "exactly one reply")
        XCTAssertEqual(zendesk.comments.first?.ticketID, "800")
        await second.close()
    }

    func testAMissingTicketIsAbandonedAndRefusedCredentialsWaitVisibly() async throws {
        let zendesk = try FakeHelpdeskAPI.zendesk(email: email, apiToken: "another-token", tickets: ["1"])
        defer { zendesk.stop() }
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: zendeskAccount(zendesk), backoff: 0.1)
        _ = try await service.answerHelpdeskQuestion(question("900", passwordQuestion))
        await waitFor(10) { zendesk.requests.count >= 1 }
        await waitFor(1) { false }
        XCTAssertEqual(zendesk.requests.count, 1, "401: retried only at the slowest back-off, not at once")
        let backlog = try service.helpdeskBacklog()
        XCTAssertEqual(backlog.pending, 1)
        XCTAssertTrue(backlog.lastError?.contains("ZENDESK_API_TOKEN") == true, backlog.lastError ?? "")
        await service.close()

        let right = try FakeHelpdeskAPI.zendesk(email: email, apiToken: apiToken, tickets: ["1"])
        defer { right.stop() }
        let harness2 = try SupportHarness()
        let service2 = try await self.service(harness2, accounts: zendeskAccount(right), backoff: 0.1)
        _ = try await service2.answerHelpdeskQuestion(question("901", passwordQuestion))
        await waitFor(10) { right.requests.count >= 1 }
        await waitFor(1) { false }
        XCTAssertEqual(right.requests.count, 1, "404: abandoned, never sent again")
        let abandoned = try service2.helpdeskBacklog()
        XCTAssertEqual(abandoned.failed, 1)
        XCTAssertEqual(abandoned.pending, 0)
        XCTAssertTrue(abandoned.lastError?.contains("HTTP 404") == true, abandoned.lastError ?? "")
        await service2.close()
    }

    func testFreshdeskGetsAReplyAndAPrivateNoteInItsShapes() async throws {
        let freshdesk = try FakeHelpdeskAPI.freshdesk(apiKey: "fd-key")
        defer { freshdesk.stop() }
        var accounts = HelpdeskAccounts()
        accounts.accounts[.freshdesk] = .init(baseURL: freshdesk.baseURL, user: "", secret: "fd-key")
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: accounts)
        try service.setMode(.shadow, ofTopic: "billing")
        _ = try await service.answerHelpdeskQuestion(question("11", passwordQuestion, helpdesk: .freshdesk))
        _ = try await service.answerHelpdeskQuestion(question("12", "my card was declined, why", helpdesk: .freshdesk))
        await waitFor(10) { freshdesk.comments.count >= 2 }
        let requests = freshdesk.requests
        XCTAssertEqual(requests.map(\.path), ["/api/v2/tickets/11/reply", "/api/v2/tickets/12/notes"])
        XCTAssertEqual(Set(requests.map(\.method)), ["POST"])
        XCTAssertEqual(requests.first?.headers["authorization"], "Basic " + Data("fd-key:X".utf8).base64EncodedString())
        XCTAssertEqual(Set(try XCTUnwrap(requests.first?.json).keys), ["body"])
        XCTAssertEqual(requests.last?.json?["private"] as? Bool, true)
        XCTAssertTrue(freshdesk.comments[0].body.hasPrefix("<p>"), "Freshdesk bodies are HTML")
        XCTAssertEqual(freshdesk.comments.map(\.isPublic), [true, false])
        await service.close()
    }

    func testIntercomGetsAnAdminCommentAndANoteInItsShape() async throws {
        let intercom = try FakeHelpdeskAPI.intercom(accessToken: "ic-token", adminID: "814860")
        defer { intercom.stop() }
        var accounts = HelpdeskAccounts()
        accounts.accounts[.intercom] = .init(baseURL: intercom.baseURL, user: "814860", secret: "ic-token")
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: accounts)
        try service.setMode(.shadow, ofTopic: "billing")
        _ = try await service.answerHelpdeskQuestion(question("1911149811", passwordQuestion, helpdesk: .intercom))
        _ = try await service.answerHelpdeskQuestion(question("1911149812", "my card was declined, why", helpdesk: .intercom))
        await waitFor(10) { intercom.comments.count >= 2 }
        let requests = intercom.requests
        XCTAssertEqual(requests.map(\.path), ["/conversations/1911149811/reply", "/conversations/1911149812/reply"])
        XCTAssertEqual(requests.first?.headers["authorization"], "Bearer ic-token")
        XCTAssertEqual(requests.map { $0.json?["message_type"] as? String }, ["comment", "note"])
        XCTAssertEqual(Set(requests.map { $0.json?["admin_id"] as? String }), ["814860"])
        XCTAssertEqual(Set(requests.map { $0.json?["type"] as? String }), ["admin"])
        await service.close()
    }

    func testAHelpdeskWithoutAnAccountIsNotAsked() async throws {
        let harness = try SupportHarness()
        let service = try await service(harness, accounts: HelpdeskAccounts())
        let answer = try await service.answerHelpdeskQuestion(question("1000", passwordQuestion))
        XCTAssertEqual(answer.status, "not_configured")
        XCTAssertFalse(try service.store.conversationExists(id: "1000"), "nothing was asked")
        await service.close()
    }
}

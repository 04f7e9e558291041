import Embedding
import Foundation
import XCTest
@testable import Support

/// Nothing private becomes knowledge, end to end against a real core: an agent's reply and an
/// imported ticket's reply become articles only redacted, without greeting or sign-off, and a
/// reply with nothing left to teach becomes no article at all.
final class PrivateRepliesTests: XCTestCase {
    private var harness: SupportHarness!
    private var service: SupportService!

    override func setUp() async throws {
        harness = try SupportHarness()
        service = try await harness.service(embedder: HashedEmbedder())
        try await service.upsertArticles(SupportHarness.articles)
    }

    override func tearDown() async throws {
        await service?.close()
        service = nil
        harness = nil
    }

    func testAnAgentsReplyBecomesARedactedArticleTitledByARedactedQuestion() async throws {
        let first = try await service.ask(AskRequest(text: "my card 4111 1111 1111 1111 was charged twice, write to me at ann@example.com"))
        let reply = "Hi Ann,\nWe refunded the second charge to card 4111 1111 1111 1111; the receipt went to ann@example.com.\n"
            + "It reaches your account within 5–10 business days.\nBest regards,\nPeter"
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .corrected, agentReply: reply))
        let created = try XCTUnwrap(outcome.createdArticle)
        let article = try XCTUnwrap(try service.store.article(id: created.id))
        for secret in ["4111", "ann@example.com", "Ann", "Peter"] {
            XCTAssertFalse(article.body.contains(secret), "\(secret) in the body: \(article.body)")
        }
        for secret in ["4111", "ann@example.com"] {
            XCTAssertFalse(article.title.contains(secret), "\(secret) in the title: \(article.title)")
        }
        XCTAssertTrue(article.body.contains("[card]") && article.body.contains("[email]"), article.body)
        XCTAssertTrue(article.body.contains("5–10 business days"), "the content stays: \(article.body)")
        XCTAssertTrue(article.title.contains("[card]") && article.title.contains("[email]"), article.title)
    }

    func testAReplyWithNothingToTeachMakesNoArticleAndTheQuestionIsHandledWithoutOne() async throws {
        let first = try await service.ask(AskRequest(text: "can you look at my account please"))
        let before = try service.store.articleCount()
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .corrected,
                                                                      agentReply: "Hi there,\nDone, fixed it for you!\nThanks, Kim"))
        XCTAssertNil(outcome.createdArticle)
        XCTAssertEqual(try service.store.articleCount(), before, "no article from a pleasantry")
        let noArticle = try XCTUnwrap(try service.store.article(id: VectorIDs.noArticleID))
        XCTAssertEqual(try service.store.aliasCount(articleKey: noArticle.key), 1, "the question is an example handled without an article")
    }

    func testTicketImportRedactsRepliesAndSkipsEmptyOnes() async throws {
        let tickets = [
            ImportedTicket(externalID: "1", subject: "Refund", question: "where is my refund", agentReply: "Hello Maria,\nThe refund went to IBAN DE89 3704 0044 0532 0130 00 on Monday; call +44 20 7946 0958 if it is not there by Friday.\nCheers,\nTom", resolved: true),
            ImportedTicket(externalID: "2", subject: "Thanks", question: "ok thanks", agentReply: "You're welcome! Glad I could help.", resolved: true),
            ImportedTicket(externalID: "3", subject: "Login", question: "cannot log in", agentReply: "Reset your password from the sign-in page, then sign in again.", resolved: true),
        ]
        let summary = try await service.importTickets(tickets, source: "csv")
        XCTAssertEqual(summary.seeded, 2)
        XCTAssertEqual(summary.skippedShortReply, 1)
        XCTAssertEqual(summary.redacted, ["iban": 1, "phone": 1])
        let refund = try XCTUnwrap(try service.store.article(id: SupportService.ticketArticleID(source: "csv", externalID: "1")))
        XCTAssertEqual(refund.body, "The refund went to IBAN [iban] on Monday; call [phone] if it is not there by Friday.")
        XCTAssertNil(try service.store.article(id: SupportService.ticketArticleID(source: "csv", externalID: "2")))
    }
}

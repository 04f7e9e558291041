import Foundation
import LoopdeskTestSupport
import Support
import XCTest

/// The proofs, end to end against a real core: corrections teach new
/// phrasings, an agent's reply answers at once, a reopen takes the credit back,
/// and a core restart loses no outcome.
final class LearningLoopTests: XCTestCase {
    /// (a) A new phrasing corrected once to an article is answered from that article,
    /// with a higher score, the next time it (or a close paraphrase) is asked.
    func testCorrectionTeachesANewPhrasing() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.initialThreshold = 0.99 }
        try await service.upsertArticles(SupportHarness.articles)
        let phrasing = "the bank keeps bouncing my payment"
        let first = try await service.ask(AskRequest(text: phrasing))
        let before = first.sources.first { $0.id == "card-declined" }?.score ?? 0
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .corrected,
                                                                      articleID: "card-declined"))
        XCTAssertEqual(outcome.aliasOf?.id, "card-declined")
        XCTAssertTrue(outcome.delivered)
        let again = try await service.ask(AskRequest(text: phrasing))
        XCTAssertEqual(again.article?.id, "card-declined", "the corrected phrasing must now find its article first")
        XCTAssertGreaterThan(again.score, before, "the article's score for this phrasing must rise after the correction")
        if TestEmbedder.isMiniLM {
            let paraphrase = try await service.ask(AskRequest(text: "my bank keeps bouncing the payment"))
            XCTAssertEqual(paraphrase.article?.id, "card-declined")
        }
    }

    /// (b) An agent's reply becomes an answer at once.
    func testAgentReplyBecomesAnAnswer() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.initialThreshold = 0.3 }
        try await service.upsertArticles(SupportHarness.articles)
        let question = "How do I change the language of the interface to German?"
        let first = try await service.ask(AskRequest(text: question))
        let reply = "Open Settings, Preferences, Language, and pick Deutsch. The interface switches at once."
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .corrected,
                                                                      agentReply: reply))
        let created = try XCTUnwrap(outcome.createdArticle)
        XCTAssertEqual(try service.store.article(id: created.id)?.origin, .agentReply)
        let next = try await service.ask(AskRequest(text: question))
        XCTAssertEqual(next.article?.id, created.id, "the agent's reply must be the best candidate for the same question")
        XCTAssertTrue(next.answer.contains("Deutsch"), "the answer must quote the agent's words: \(next.answer)")
    }

    /// (c) A reopen takes the credit back: the alias goes and the score falls back.
    func testReopenTakesTheCreditBack() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0 }   // answered, so "resolved" credits the answer
        try await service.upsertArticles(SupportHarness.articles)
        let question = "I want to stop paying for the plan"
        let first = try await service.ask(AskRequest(text: question))
        let cited = try XCTUnwrap(first.article)
        let resolved = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .resolved))
        XCTAssertEqual(resolved.aliasOf?.id, cited.id)
        let key = try XCTUnwrap(try service.store.article(id: cited.id)?.key)
        XCTAssertEqual(try service.store.aliasCount(articleKey: key), 1)
        let afterResolve = try await service.ask(AskRequest(text: question))
        XCTAssertGreaterThan(afterResolve.score, first.score)

        _ = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .reopened))
        XCTAssertEqual(try service.store.aliasCount(articleKey: key), 0, "the alias must be taken back")
        let afterReopen = try await service.ask(AskRequest(text: question))
        XCTAssertLessThan(afterReopen.score, afterResolve.score, "the reopen must take the credit back")
        // Reopening twice, or reopening what was never resolved, is refused.
        await assertThrows(SupportError.self) {
            _ = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .reopened))
        }
        await assertThrows(SupportError.self) {
            _ = try await service.recordOutcome(OutcomeRequest(impressionID: afterReopen.impressionID, outcome: .reopened))
        }
    }

    /// (d) The core restarting in the middle loses no outcome: outcomes received
    /// while it is down are queued in SQLite and delivered once it is back.
    func testCoreRestartLosesNoOutcome() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0 }   // answered, so "resolved" credits the answer
        try await service.upsertArticles(SupportHarness.articles)
        var impressions: [String] = []
        for question in ["reset my password", "export all my projects", "add a colleague to the workspace"] {
            impressions.append(try await service.ask(AskRequest(text: question)).impressionID)
        }
        let baseline = try await harness.feedbackCount()

        harness.stopCore()
        // Asking needs the core: a clear 503-class error.
        await assertThrows(SupportError.self) { _ = try await service.ask(AskRequest(text: "reset my password")) }
        for impression in impressions {
            let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: impression, outcome: .resolved))
            XCTAssertFalse(outcome.delivered, "the core is down: the outcome must be queued")
        }
        XCTAssertGreaterThanOrEqual(try service.store.pendingOperationCount(), 3)

        try harness.startCore()
        let drained = await service.deliverPending()
        XCTAssertTrue(drained)
        XCTAssertEqual(try service.store.pendingOperationCount(), 0)
        let after = try await harness.feedbackCount()
        XCTAssertEqual(after - baseline, 3, "every queued outcome must reach the ranker once")
        // And the service asks again without being told to reconnect.
        let back = try await service.ask(AskRequest(text: "reset my password"))
        XCTAssertEqual(back.article?.id, "reset-password")
    }
}

/// Asserts that `body` throws an error of type `E`.
func assertThrows<E: Error>(_ type: E.Type, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () async throws -> Void) async {
    do {
        try await body()
        XCTFail("expected \(E.self) to be thrown", file: file, line: line)
    } catch is E {
    } catch {
        XCTFail("expected \(E.self), got \(error)", file: file, line: line)
    }
}

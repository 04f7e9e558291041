import Foundation
import XCTest
@testable import Support

/// The same words resolved again add no second alias (against a real core): the alias table
/// and the core's index grow with what customers ask, not with how often they ask it.
final class AliasDeduplicationTests: XCTestCase {
    func testTheSameQuestionResolvedTwiceIsOneAlias() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0 }   // answered, so "resolved" is the answer's
        try await service.upsertArticles(SupportHarness.articles)
        let question = "I want to stop paying for the plan"
        var cited: String?
        for _ in 0..<3 {
            let answer = try await service.ask(AskRequest(text: question))
            cited = try XCTUnwrap(answer.article).id
            let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: answer.impressionID, outcome: .resolved))
            XCTAssertEqual(outcome.aliasOf?.id, cited, "each resolution still names the article the question leads to")
        }
        let key = try XCTUnwrap(try service.store.article(id: try XCTUnwrap(cited))?.key)
        XCTAssertEqual(try service.store.aliasCount(articleKey: key), 1)
        // Other words are new knowledge: a second alias.
        let other = try await service.ask(AskRequest(text: "how do I cancel my subscription to the plan"))
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: other.impressionID, outcome: .corrected, articleID: cited))
        XCTAssertEqual(try service.store.aliasCount(articleKey: key), 2)
        await service.close()
    }
}

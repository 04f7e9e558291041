@testable import Support
import Foundation
import Wire
import XCTest

/// Two answer services on one store and one core, as two instances behind a load balancer:
/// what one learns, the other uses within a second; an event recorded by one is a duplicate
/// for the other (issue 18, "Several answer services on one store").
final class SharedStoreInstancesTests: XCTestCase {
    /// Past the interval at which a service looks at the store's learned-state version.
    func waitPastTheCheckInterval() async throws {
        try await Task.sleep(nanoseconds: UInt64(SupportConfiguration().sharedLearningCheckInterval * 2e9))
    }

    func testATopicModeSetThroughOneInstanceGovernsTheOther() async throws {
        let harness = try SupportHarness()
        let first = try await harness.service { $0.policy.fixedThreshold = 0 }
        let second = try await harness.service { $0.policy.fixedThreshold = 0 }
        try await first.upsertArticles(SupportHarness.articles)
        let question = AskRequest(text: "Why was my card declined?")
        let before = try await second.ask(question)
        XCTAssertEqual(before.topic, "billing")
        XCTAssertEqual(before.mode, .live)
        try first.setMode(.off, ofTopic: "billing")
        try await waitPastTheCheckInterval()
        let after = try await second.ask(question)
        XCTAssertEqual(after.mode, .off, "the second instance still answers billing in its cached mode")
        XCTAssertEqual(after.decision, .escalate)
        XCTAssertEqual(try second.topics().first { $0.topic == "billing" }?.mode, .off)
        await first.close()
        await second.close()
    }

    func testAnAliasAndTheJudgedEvidenceLearnedByOneReachTheOther() async throws {
        let harness = try SupportHarness()
        let first = try await harness.service { $0.policy.initialThreshold = 0.99 }
        let second = try await harness.service { $0.policy.initialThreshold = 0.99 }
        try await first.upsertArticles(SupportHarness.articles)
        _ = try await second.ask(AskRequest(text: "warm up: the second instance has looked at the store"))
        let evidenceBefore = second.policy.snapshot.evidence
        let asked = try await first.ask(AskRequest(text: "the bank keeps bouncing my payment"))
        let outcome = try await first.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .corrected,
                                                                   articleID: "card-declined"))
        let alias = try XCTUnwrap(try first.store.activeAliases(after: 0, limit: 10).last, "\(outcome)")
        XCTAssertNil(second.aliasDirectory.group(ofVector: VectorIDs.alias(alias.key)), "not seen before the second looks")
        try await waitPastTheCheckInterval()
        let again = try await second.ask(AskRequest(text: "the bank keeps bouncing my payment"))
        XCTAssertEqual(again.article?.id, "card-declined")
        XCTAssertEqual(second.aliasDirectory.group(ofVector: VectorIDs.alias(alias.key)), VectorIDs.group(alias.articleKey),
                       "the alias the first instance learned is a vote for its article on the second")
        XCTAssertEqual(second.policy.snapshot.evidence, evidenceBefore + 1, "the judged answer joins the second's policy evidence")
        await first.close()
        await second.close()
    }

    func testTheNoArticleGroupCreatedByOneInstanceReachesTheOther() async throws {
        // The second remembers that the group is not there, but only while learning stands still.
        let harness = try SupportHarness()
        let first = try await harness.service { $0.policy.fixedThreshold = 0 }
        let second = try await harness.service { $0.policy.fixedThreshold = 0 }
        try await first.upsertArticles(SupportHarness.articles)
        _ = try await second.ask(AskRequest(text: "warm up: the second instance has looked"))
        XCTAssertNil(try second.noArticleGroup())
        let asked = try await first.ask(AskRequest(text: "I want to speak to a person about my contract"))
        _ = try await first.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .escalated))
        let group = try XCTUnwrap(try first.noArticleGroup(), "an escalation creates the no-article group")
        try await waitPastTheCheckInterval()
        _ = try await second.ask(AskRequest(text: "hello again"))
        XCTAssertEqual(try second.noArticleGroup(), group)
        await first.close()
        await second.close()
    }

    func testAnEventRecordedByOneInstanceIsADuplicateForTheOther() async throws {
        let harness = try SupportHarness()
        let first = try await harness.service { $0.policy.fixedThreshold = 0 }
        let second = try await harness.service { $0.policy.fixedThreshold = 0 }
        try await first.upsertArticles(SupportHarness.articles)
        let asked = try await first.ask(AskRequest(text: "How do I reset my password?"))
        let event = OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved, eventID: "zendesk:evt-1")
        let recorded = try await first.recordOutcome(event)
        let again = try await second.recordOutcome(event)
        XCTAssertEqual(recorded.status, "recorded")
        XCTAssertEqual(again.status, "duplicate")
        XCTAssertEqual(try first.store.outcomes(answerKey: AnswerRecord.key(fromImpressionID: asked.impressionID)!).count, 1)
        await first.close()
        await second.close()
    }

    func testTheStoreDecidesADuplicateThatBothInstancesCheckedAtOnce() async throws {
        // Both passed the early check: the second write must fail as a duplicate, inside its transaction.
        let harness = try SupportHarness()
        let service = try await harness.service()
        let asked = try await service.ask(AskRequest(text: "where is my invoice"))
        let key = try XCTUnwrap(AnswerRecord.key(fromImpressionID: asked.impressionID))
        let record = OutcomeEventRecord(answerKey: key, kind: .resolved, csat: nil, agentReply: nil, articleID: nil,
                                        eventID: "freshdesk:77", createdAt: Date())
        XCTAssertThrowsError(try service.store.write { w in
            try w.insertOutcome(record)
            try w.insertOutcome(record)
        }) { error in
            XCTAssertEqual(error as? SupportError, .duplicateEvent("freshdesk:77"))
        }
        XCTAssertEqual(try service.store.outcomes(answerKey: key).count, 0, "the whole transaction rolled back")
        await service.close()
    }
}

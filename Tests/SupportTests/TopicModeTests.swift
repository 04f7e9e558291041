import Foundation
@testable import Support
import XCTest

/// Topic modes for a roll-out (Rollout/, docs/ROLLOUT.md), against a real core: a shadow topic
/// decides but never answers and is judged by the agents' handling; switching it live uses
/// what it learned; off stays out; modes survive a restart; `--default-mode` covers new topics.
final class TopicModeTests: XCTestCase {
    private let passwordQuestion = "how do I reset my password"

    func testAShadowTopicNeverAnswersButAgentsJudgeWhatItWouldHaveDone() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0 }   // live would answer everything
        try await service.upsertArticles(SupportHarness.articles)
        try service.setMode(.shadow, ofTopic: "account")

        let first = try await service.ask(AskRequest(text: passwordQuestion))
        XCTAssertEqual(first.topic, "account")
        XCTAssertEqual(first.mode, .shadow)
        XCTAssertEqual(first.decision, .escalate, "a shadow topic hands every question to an agent")
        XCTAssertEqual(first.shadowDecision, .answer, "what live would have done")
        XCTAssertEqual(first.article?.id, "reset-password", "the would-be answer is the agent's suggestion")
        XCTAssertFalse(first.answer.isEmpty)
        XCTAssertTrue(first.reason.hasPrefix("shadow: topic account is in shadow"), first.reason)
        XCTAssertEqual(try service.store.answer(key: XCTUnwrap(AnswerRecord.key(fromImpressionID: first.impressionID)))?.decision, .escalate,
                       "the store records what was done: escalated")

        // The agent used the suggested article: the shadow answer would have been right.
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: first.impressionID, outcome: .corrected, articleID: "reset-password"))
        // The agent used another article: it would have been wrong.
        let second = try await service.ask(AskRequest(text: "I cannot log in, how do I turn on two factor codes"))
        XCTAssertEqual(second.mode, .shadow)
        let suggested = try XCTUnwrap(second.article?.id)
        let other = suggested == "two-factor" ? "reset-password" : "two-factor"
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: second.impressionID, outcome: .corrected, articleID: other))

        let account = try XCTUnwrap(try service.topics().first { $0.topic == "account" })
        XCTAssertEqual(account.mode, .shadow)
        XCTAssertTrue(account.modeSet)
        XCTAssertEqual(account.figures.wouldAnswer, 2)
        XCTAssertEqual(account.figures.wouldBeRight, 1)
        XCTAssertEqual(account.figures.wouldBeWrong, 1)
        XCTAssertEqual(account.figures.answered, 0, "nothing was answered live")
        XCTAssertFalse(account.suggestLive, "2 judged cases are far from enough to go live")
        let billing = try XCTUnwrap(try service.topics().first { $0.topic == "billing" })
        XCTAssertEqual(billing.mode, .live, "a topic nobody set follows the default")
        XCTAssertFalse(billing.modeSet)
        await service.close()
    }

    func testAShadowTopicThatWouldEscalateCountsRightlyEscalatedWhenTheAgentUsedSomethingElse() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0.999 }   // live would escalate everything
        try await service.upsertArticles(SupportHarness.articles)
        try service.setMode(.shadow, ofTopic: "account")
        let asked = try await service.ask(AskRequest(text: passwordQuestion))
        XCTAssertEqual(asked.shadowDecision, .escalate)
        let other = asked.article?.id == "two-factor" ? "reset-password" : "two-factor"
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .corrected, articleID: other))
        let account = try XCTUnwrap(try service.topics().first { $0.topic == "account" })
        XCTAssertEqual(account.figures.rightlyEscalated, 1)
        XCTAssertEqual(account.figures.wouldAnswer, 0)
        await service.close()
    }

    func testSwitchingAShadowTopicLiveUsesWhatItLearnedInShadow() async throws {
        let harness = try SupportHarness()
        // 17 right answers and none wrong are the fewest that prove ≤ 1.5 % (EscalationPolicyTests).
        let service = try await harness.service {
            $0.policy.topicMinimumEvidence = 17
            $0.policy.minimumEvidence = 17
            $0.policy.floor = 0
        }
        try await service.upsertArticles(SupportHarness.articles)
        try service.setMode(.shadow, ofTopic: "account")
        for _ in 0..<17 {
            let asked = try await service.ask(AskRequest(text: passwordQuestion))
            XCTAssertEqual(asked.decision, .escalate)
            XCTAssertEqual(asked.shadowDecision, .escalate, "a fresh topic is held at the initial 0.9: \(asked.reason)")
            _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .corrected, articleID: "reset-password"))
        }
        let learned = try XCTUnwrap(try service.topics().first { $0.topic == "account" })
        XCTAssertEqual(learned.judged, 17, "the agents' confirmations in shadow are the topic's judged answers")
        XCTAssertEqual(learned.rule, .global, "past its start, the topic has the threshold the judged answers earned")
        XCTAssertLessThan(learned.threshold, 0.9)
        let data = try XCTUnwrap(try service.topics().first { $0.topic == "data" })
        XCTAssertEqual(data.threshold, 0.9, "a topic without evidence keeps the initial threshold while account widened")
        XCTAssertEqual(data.rule, .initial)

        try service.setMode(.live, ofTopic: "account")
        let live = try await service.ask(AskRequest(text: passwordQuestion))
        XCTAssertEqual(live.mode, .live)
        XCTAssertNil(live.shadowDecision)
        XCTAssertEqual(live.decision, .answer, "live now answers on the evidence gathered in shadow: \(live.reason)")
        XCTAssertEqual(live.article?.id, "reset-password")
        XCTAssertTrue(live.reason.contains("learned from 17 judged answers"), live.reason)
        await service.close()
    }

    func testAnOffTopicStaysOut() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service { $0.policy.fixedThreshold = 0 }
        try await service.upsertArticles(SupportHarness.articles)
        try service.setMode(.off, ofTopic: "account")
        let asked = try await service.ask(AskRequest(text: passwordQuestion))
        XCTAssertEqual(asked.mode, .off)
        XCTAssertEqual(asked.decision, .escalate)
        XCTAssertNil(asked.shadowDecision)
        XCTAssertNil(asked.article, "off: no suggestion either")
        XCTAssertEqual(asked.answer, "")
        XCTAssertTrue(asked.sources.isEmpty)
        XCTAssertEqual(asked.reason, "escalate: topic account is off")
        let billing = try await service.ask(AskRequest(text: "why was my card declined"))
        XCTAssertEqual(billing.decision, .answer, "other topics are untouched")
        await service.close()
    }

    func testModesSurviveARestartAndTheDefaultModeCoversTopicsNobodySet() async throws {
        let harness = try SupportHarness()
        let first = try await harness.service { $0.policy.fixedThreshold = 0 }
        try await first.upsertArticles(SupportHarness.articles)
        try first.setMode(.shadow, ofTopic: "account")
        try first.setMode(.off, ofTopic: "data")
        try first.setMode(.live, ofTopic: "data")
        await first.close()

        let second = try await harness.service {
            $0.policy.fixedThreshold = 0
            $0.defaultMode = .shadow
        }
        XCTAssertEqual(second.mode(ofTopic: "account"), .shadow, "the mode set before the restart")
        XCTAssertEqual(second.mode(ofTopic: "data"), .live, "the latest change wins")
        XCTAssertEqual(second.mode(ofTopic: "billing"), .shadow, "--default-mode shadow covers a topic nobody set")
        XCTAssertEqual(second.mode(ofTopic: "appears-later"), .shadow)
        let billing = try await second.ask(AskRequest(text: "why was my card declined"))
        XCTAssertEqual(billing.decision, .escalate)
        XCTAssertEqual(billing.shadowDecision, .answer)
        let changes = try second.store.topicModeChanges()
        XCTAssertEqual(changes.map(\.topic), ["account", "data", "data"])
        XCTAssertEqual(changes.map(\.mode), [.shadow, .off, .live], "every change is kept with its time, for the roll-out report")
        await second.close()
    }

    func testATopicNameIsChecked() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service()
        for bad in ["", String(repeating: "x", count: 201), "bad\nname"] {
            XCTAssertThrowsError(try service.setMode(.live, ofTopic: bad)) { error in
                guard case SupportError.invalidRequest = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(try service.setMode(.shadow, ofTopic: "not-yet-seen").mode, .shadow, "a topic may be set before its first question")
        await service.close()
    }
}

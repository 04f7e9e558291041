import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Support

/// Credit only what helped, against a real core: an escalated question later solved by an agent
/// credits the suggested article only when the event shows it was used (issue 15).
final class AgentSolveCreditTests: XCTestCase {
    private var harness: SupportHarness!
    private var service: SupportService!

    override func setUp() async throws {
        harness = try SupportHarness()
        // Every question is escalated with its best candidate as the agent's suggestion.
        service = try await harness.service { $0.policy.fixedThreshold = 1.0 }
        try await service.upsertArticles(SupportHarness.articles)
    }

    override func tearDown() async throws {
        await service?.close()
        service = nil
        harness = nil
    }

    /// An escalation whose suggestion is `export-data`.
    private func escalatedExportQuestion() async throws -> AskResponse {
        let asked = try await service.ask(AskRequest(text: "Export your data as CSV", conversationID: "T-\(UUID().uuidString)"))
        XCTAssertEqual(asked.decision, .escalate)
        XCTAssertEqual(asked.article?.id, "export-data", "the suggestion the tests rely on")
        return asked
    }

    private func key(_ articleID: String) throws -> Int64 { try XCTUnwrap(try service.store.article(id: articleID)).key }

    private func answer(_ impressionID: String) throws -> AnswerRecord {
        try XCTUnwrap(try service.store.answer(key: XCTUnwrap(AnswerRecord.key(fromImpressionID: impressionID))))
    }

    func testABareSolveAfterAnEscalationCreditsNothing() async throws {
        let asked = try await escalatedExportQuestion()
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved,
                                                                      eventID: "zendesk:1", source: "zendesk"))
        XCTAssertNil(outcome.aliasOf, "no alias of the suggestion")
        XCTAssertEqual(try service.store.aliasCount(articleKey: key("export-data")), 0)
        let noArticle = try key(VectorIDs.noArticleID)
        XCTAssertEqual(try service.store.aliasCount(articleKey: noArticle), 1, "the question joins those handled without an article")
        let stored = try answer(asked.impressionID)
        XCTAssertEqual(stored.outcome, .resolved)
        XCTAssertNil(stored.topWasRight, "not judged: the suggestion counts as not used, not as right")
        let feedback = try await harness.feedbackCount()
        XCTAssertEqual(feedback, 0, "the ranker hears nothing")
        let learned = try service.learnedItems(kind: .alias)
        XCTAssertEqual(learned.first?.origin, .escalated)
        XCTAssertEqual(learned.first?.evidence?.eventID, "zendesk:1")
        XCTAssertNil(learned.first?.evidence?.attribution)
    }

    func testASolveNamingTheSuggestionCreditsIt() async throws {
        let asked = try await escalatedExportQuestion()
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved,
                                                                      articleID: "export-data"))
        XCTAssertEqual(outcome.aliasOf?.id, "export-data")
        XCTAssertEqual(try answer(asked.impressionID).topWasRight, true)
        let feedback = try await harness.feedbackCount()
        XCTAssertEqual(feedback, 1, "FEEDBACK resolved on the suggestion")
        XCTAssertEqual(try service.learnedItems(kind: .alias).first?.evidence?.attribution, "article_id")
    }

    func testASolveWhoseReplySaysWhatThePassageSaysCreditsIt() async throws {
        let asked = try await escalatedExportQuestion()
        let reply = "Hello! Under Settings, Data, press Export. You receive a ZIP file with every project as CSV within a few minutes."
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved, agentReply: reply))
        XCTAssertEqual(outcome.aliasOf?.id, "export-data")
        XCTAssertEqual(try answer(asked.impressionID).topWasRight, true)
        let evidence = try XCTUnwrap(try service.learnedItems(kind: .alias).first?.evidence)
        XCTAssertEqual(evidence.attribution, "agent_reply")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(evidence.similarity), Double(SolveAttribution.replySimilarityThreshold))
        XCTAssertEqual(evidence.impressionID, asked.impressionID)
        XCTAssertEqual(evidence.source, "api")
    }

    func testASolveWithAReplyAboutSomethingElseCreditsNothing() async throws {
        let asked = try await escalatedExportQuestion()
        let reply = "I sent the invitation again: open the workspace, press Members, then Invite. It expires after seven days."
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved, agentReply: reply))
        XCTAssertNil(outcome.aliasOf)
        XCTAssertEqual(try service.store.aliasCount(articleKey: key("export-data")), 0)
        XCTAssertNil(try answer(asked.impressionID).topWasRight)
    }

    func testASolveNamingAnotherArticleCreditsThatOne() async throws {
        let asked = try await escalatedExportQuestion()
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved,
                                                                      articleID: "invite-teammates"))
        XCTAssertEqual(outcome.aliasOf?.id, "invite-teammates")
        XCTAssertEqual(try service.store.aliasCount(articleKey: key("export-data")), 0)
        XCTAssertEqual(try answer(asked.impressionID).topWasRight, false, "the suggestion was not what solved it")
    }

    func testAHelpdeskSolveCarriesTheAgentsReplyAsEvidence() async throws {
        let conversation = "ic-\(UUID().uuidString)"
        let asked = try await service.ask(AskRequest(text: "Export your data as CSV", conversationID: conversation))
        XCTAssertEqual(asked.decision, .escalate)
        let body = """
            {"type": "notification_event", "topic": "conversation.admin.closed", "id": "notif_1", "created_at": 1700000000,
             "data": {"item": {"type": "conversation", "id": "\(conversation)",
               "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
                 {"part_type": "note", "body": "<p>internal: customer is on the old plan</p>", "author": {"type": "admin"}},
                 {"part_type": "comment", "body": "<p>Under Settings, Data, press <b>Export</b>. You receive a ZIP file with every project as CSV within a few minutes.</p>", "author": {"type": "admin"}},
                 {"part_type": "close", "body": null, "author": {"type": "admin"}}]}}}}
            """
        let requests = try HelpdeskEvents.parse(Data(body.utf8))
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests.first?.source, "intercom")
        XCTAssertTrue(requests.first?.agentReply?.hasPrefix("Under Settings, Data, press Export.") == true, "\(requests)")
        let outcome = try await service.recordOutcome(try XCTUnwrap(requests.first))
        XCTAssertEqual(outcome.aliasOf?.id, "export-data")
        let evidence = try XCTUnwrap(try service.learnedItems(kind: .alias).first?.evidence)
        XCTAssertEqual(evidence.source, "intercom")
        XCTAssertEqual(evidence.eventID, "intercom:notif_1")
    }
}

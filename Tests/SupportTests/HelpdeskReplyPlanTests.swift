import Foundation
@testable import Support
import XCTest

/// What is written on a ticket after Loopdesk asked itself its question (``HelpdeskReplyPlan``):
/// only a live answer reaches the customer; escalations and shadow topics become notes; off, nothing.
final class HelpdeskReplyPlanTests: XCTestCase {
    private let article = ArticleReference(id: "reset-password", title: "Reset your password")
    private let passage = "Open Settings, choose Security and press Reset password."

    private func response(_ decision: Decision, mode: TopicMode = .live, shadow: Decision? = nil, article: ArticleReference?,
                          answer: String) -> AskResponse {
        AskResponse(decision: decision, article: article, answer: answer, score: 0.83, lower: 0.71, upper: 0.9, sources: [],
                    impressionID: "imp", conversationID: "35436", reason: "the lower bound 0.710 is under 0.800", topic: "account",
                    threshold: 0.8, mode: mode, shadowDecision: shadow)
    }

    func testALiveAnswerIsAPublicReplyOfThePassageAndItsArticle() throws {
        let comment = try XCTUnwrap(HelpdeskReplyPlan.comment(for: response(.answer, article: article, answer: passage), ticketID: "35436"))
        XCTAssertEqual(comment.visibility, .publicReply)
        XCTAssertEqual(comment.ticketID, "35436")
        XCTAssertTrue(comment.body.hasPrefix(passage), comment.body)
        XCTAssertTrue(comment.body.contains("\"Reset your password\""), comment.body)
        XCTAssertFalse(comment.body.contains("confidence"), "the customer sees the answer, not the machinery")
    }

    func testALiveEscalationIsANoteWithTheSuggestionTheArticleAndTheConfidence() throws {
        let comment = try XCTUnwrap(HelpdeskReplyPlan.comment(for: response(.escalate, article: article, answer: passage), ticketID: "7"))
        XCTAssertEqual(comment.visibility, .internalNote)
        XCTAssertTrue(comment.body.contains("not sent to the customer: escalated"), comment.body)
        XCTAssertTrue(comment.body.contains("confidence 0.830 (lower bound 0.710, needed 0.800)"), comment.body)
        XCTAssertTrue(comment.body.contains("Article: Reset your password (reset-password)"), comment.body)
        XCTAssertTrue(comment.body.contains(passage))
        XCTAssertTrue(comment.body.contains("Why: the lower bound"), comment.body)
    }

    func testAnAnswerWithoutAPassageIsNeverAPublicReply() throws {
        let comment = try XCTUnwrap(HelpdeskReplyPlan.comment(for: response(.answer, article: nil, answer: ""), ticketID: "8"))
        XCTAssertEqual(comment.visibility, .internalNote, "nothing to tell the customer")
        XCTAssertTrue(comment.body.contains("No article matches this question."), comment.body)
    }

    func testAShadowTopicIsANoteSayingWhatLiveWouldHaveDone() throws {
        let wouldAnswer = try XCTUnwrap(HelpdeskReplyPlan.comment(
            for: response(.escalate, mode: .shadow, shadow: .answer, article: article, answer: passage), ticketID: "9"))
        XCTAssertEqual(wouldAnswer.visibility, .internalNote)
        XCTAssertTrue(wouldAnswer.body.contains("shadow mode: live, Loopdesk would have answered the customer with it"), wouldAnswer.body)
        let wouldEscalate = try XCTUnwrap(HelpdeskReplyPlan.comment(
            for: response(.escalate, mode: .shadow, shadow: .escalate, article: article, answer: passage), ticketID: "9"))
        XCTAssertTrue(wouldEscalate.body.contains("would have escalated"), wouldEscalate.body)
    }

    func testAnOffTopicWritesNothing() {
        XCTAssertNil(HelpdeskReplyPlan.comment(for: response(.escalate, mode: .off, article: nil, answer: ""), ticketID: "10"))
    }
}

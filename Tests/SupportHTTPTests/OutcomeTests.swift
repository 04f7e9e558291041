import Foundation
import Support
import XCTest

/// `POST /v1/outcomes`: unknown answers, duplicates.
final class OutcomeTests: XCTestCase {
    func testUnknownImpressionAndConversationAre404() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            // An answer never given: a well-formed impression id nobody was handed, and a malformed one.
            for id in ["imp_999999", "not-an-impression"] {
                let response = try await api.post("/v1/outcomes", json: ["impression_id": id, "outcome": "resolved"])
                XCTAssertEqual(response.status, 404, response.text)
                XCTAssertEqual(response.errorCode, "unknown_impression")
                XCTAssertTrue(response.errorMessage.contains(id), response.errorMessage)
            }
            let conversation = try await api.post("/v1/outcomes", json: ["conversation_id": "never-seen", "outcome": "resolved"])
            XCTAssertEqual(conversation.status, 404, conversation.text)
            XCTAssertEqual(conversation.errorCode, "unknown_conversation")
            let neither = try await api.post("/v1/outcomes", json: ["outcome": "resolved"])
            XCTAssertEqual(neither.status, 400, neither.text)
            XCTAssertEqual(neither.errorCode, "invalid_outcome")
        }
    }

    func testDuplicateEventIDIsAcknowledgedAndRecordedOnce() async throws {
        try await withAPI { harness, api in
            try await api.importSampleArticles()
            let asked = try await api.post("/v1/ask", json: ["text": "Reset your password"])
            let impression = try XCTUnwrap(asked.json["impression_id"] as? String)
            // An escalation the agent solved with the suggested article, and says so.
            let body: [String: Any] = ["impression_id": impression, "outcome": "resolved", "article_id": "reset-password", "event_id": "zd-771"]
            let first = try await api.post("/v1/outcomes", json: body)
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(first.json["status"] as? String, "recorded")
            XCTAssertEqual(first.json["impression_id"] as? String, impression)
            XCTAssertEqual(first.json["delivered"] as? Bool, true)
            let second = try await api.post("/v1/outcomes", json: body)
            XCTAssertEqual(second.status, 200, second.text)
            XCTAssertEqual(second.json["status"] as? String, "duplicate")
            let key = try XCTUnwrap(AnswerRecord.key(fromImpressionID: impression))
            XCTAssertEqual(try harness.service.store.outcomes(answerKey: key).count, 1, "the outcome was recorded once")
            let article = try XCTUnwrap(try harness.service.store.article(id: "reset-password"))
            XCTAssertEqual(try harness.service.store.aliasCount(articleKey: article.key), 1, "one alias, not two")
            let resolvedCount = try await harness.resolvedFeedbackCount()
            XCTAssertEqual(resolvedCount, 1, "the ranker got the feedback once")
        }
    }
}

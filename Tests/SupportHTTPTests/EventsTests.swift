import Foundation
import Support
import XCTest

/// `POST /v1/events`: helpdesk webhooks, here in the generic shape.
final class EventsTests: XCTestCase {
    func testGenericEventsResolveAConversationOnceAndIgnoreUnknownTickets() async throws {
        try await withAPI { harness, api in
            try await api.importSampleArticles()
            let asked = try await api.post("/v1/ask", json: ["text": "Export your data as CSV", "conversation_id": "T-1001"])
            let impression = try XCTUnwrap(asked.json["impression_id"] as? String)
            let event: [String: Any] = ["conversation_id": "T-1001", "event": "solved", "event_id": "evt-1"]
            let first = try await api.post("/v1/events", json: event)
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(first.json["received"] as? Int, 1)
            let result = try XCTUnwrap((first.json["outcomes"] as? [[String: Any]])?.first)
            XCTAssertEqual(result["status"] as? String, "recorded", first.text)
            XCTAssertEqual(result["outcome"] as? String, "resolved")
            XCTAssertEqual(result["impression_id"] as? String, impression)
            let key = try XCTUnwrap(AnswerRecord.key(fromImpressionID: impression))
            XCTAssertEqual(try harness.service.store.outcomes(answerKey: key).map(\.kind), [.resolved])

            let repeated = try await api.post("/v1/events", json: event)
            XCTAssertEqual((repeated.json["outcomes"] as? [[String: Any]])?.first?["status"] as? String, "duplicate", repeated.text)
            XCTAssertEqual(try harness.service.store.outcomes(answerKey: key).count, 1)

            let unknown = try await api.post("/v1/events", json: ["conversation_id": "T-9", "event": "solved"])
            XCTAssertEqual(unknown.status, 200, unknown.text)
            let ignored = try XCTUnwrap((unknown.json["outcomes"] as? [[String: Any]])?.first)
            XCTAssertEqual(ignored["status"] as? String, "ignored")
            XCTAssertEqual((ignored["error"] as? [String: Any])?["code"] as? String, "unknown_conversation")

            let shapeless = try await api.post("/v1/events", json: ["hello": "world"])
            XCTAssertEqual(shapeless.status, 400, shapeless.text)
            XCTAssertEqual(shapeless.errorCode, "malformed_json")
        }
    }
}

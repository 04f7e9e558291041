import Foundation
import HTTPTypes
import Hummingbird
@testable import SupportHTTP
import XCTest

/// `GET /v1/topics`, `PUT /v1/topics/{topic}`, and the `mode` / `shadow_decision` keys of
/// `POST /v1/ask` (docs/API.md, "Topics").
final class TopicAPITests: XCTestCase {
    func testATopicSetToShadowIsListedAndItsQuestionsAreHandedOver() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            let listed = try await api.send(.get, "/v1/topics")
            XCTAssertEqual(listed.status, 200, listed.text)
            let topics = try XCTUnwrap(listed.json["topics"] as? [[String: Any]])
            XCTAssertEqual(topics.compactMap { $0["topic"] as? String }, ["account", "billing", "reports"], listed.text)
            let account = try XCTUnwrap(topics.first)
            XCTAssertEqual(account["mode"] as? String, "live")
            XCTAssertEqual(account["judged"] as? Int, 0)
            XCTAssertEqual(account["threshold"] as? Double, 0.9)
            for key in ["answered", "right", "wrong", "escalated"] {
                XCTAssertEqual((account["live"] as? [String: Any])?[key] as? Int, 0, key)
            }
            for key in ["would_answer", "would_be_right", "would_be_wrong", "rightly_escalated"] {
                XCTAssertEqual((account["shadow"] as? [String: Any])?[key] as? Int, 0, key)
            }

            let set = try await api.send(.put, "/v1/topics/account", body: #"{"mode": "shadow"}"#)
            XCTAssertEqual(set.status, 200, set.text)
            XCTAssertEqual(set.json["topic"] as? String, "account")
            XCTAssertEqual(set.json["mode"] as? String, "shadow")
            XCTAssertEqual(set.json["mode_set"] as? Bool, true)

            let asked = try await api.post("/v1/ask", json: ["text": "how do I reset my password"])
            XCTAssertEqual(asked.status, 200, asked.text)
            XCTAssertEqual(asked.json["topic"] as? String, "account", asked.text)
            XCTAssertEqual(asked.json["mode"] as? String, "shadow")
            XCTAssertEqual(asked.json["decision"] as? String, "escalate")
            XCTAssertNotNil(asked.json["shadow_decision"] as? String, asked.text)

            let back = try await api.send(.put, "/v1/topics/account", body: #"{"mode": "live"}"#)
            XCTAssertEqual(back.status, 200, back.text)
            let live = try await api.post("/v1/ask", json: ["text": "how do I reset my password"])
            XCTAssertEqual(live.json["mode"] as? String, "live")
            XCTAssertTrue(live.json.keys.contains("shadow_decision"), "the key is always present")
            XCTAssertTrue(live.json["shadow_decision"] is NSNull, live.text)
        }
    }

    func testAModeChangeIsChecked() async throws {
        try await withAPI { _, api in
            let bogus = try await api.send(.put, "/v1/topics/account", body: #"{"mode": "half"}"#)
            XCTAssertEqual(bogus.status, 400, bogus.text)
            let missing = try await api.send(.put, "/v1/topics/account", body: "{}")
            XCTAssertEqual(missing.status, 400, missing.text)
            let unauthenticated = try await api.send(.put, "/v1/topics/account", body: #"{"mode": "off"}"#, token: nil)
            XCTAssertEqual(unauthenticated.status, 401, unauthenticated.text)
            let spaced = try await api.send(.put, "/v1/topics/password%20help", body: #"{"mode": "off"}"#)
            XCTAssertEqual(spaced.status, 200, spaced.text)
            XCTAssertEqual(spaced.json["topic"] as? String, "password help", "the path is percent-decoded")
        }
    }
}

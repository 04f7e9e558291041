import Foundation
import XCTest

/// `POST /v1/ask`: the answer's shape and the questions it refuses.
final class AskTests: XCTestCase {
    func testAskAnswersWithEveryKeyOfTheContract() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            let response = try await api.post("/v1/ask", json: ["text": "Reset your password", "conversation_id": "c-42",
                                                              "context": ["plan": "pro", "page": "/settings"]])
            XCTAssertEqual(response.status, 200, response.text)
            let json = response.json
            for key in ["decision", "article", "answer", "score", "lower", "upper", "sources", "impression_id", "conversation_id", "reason"] {
                XCTAssertNotNil(json[key], "missing key \(key) in \(response.text)")
            }
            XCTAssertTrue(["answer", "escalate"].contains(json["decision"] as? String ?? ""))
            XCTAssertEqual((json["article"] as? [String: Any])?["id"] as? String, "reset-password")
            XCTAssertEqual((json["article"] as? [String: Any])?["title"] as? String, "Reset your password")
            XCTAssertEqual(json["conversation_id"] as? String, "c-42")
            XCTAssertTrue((json["impression_id"] as? String ?? "").hasPrefix("imp_"))
            let score = try XCTUnwrap(json["score"] as? Double), lower = try XCTUnwrap(json["lower"] as? Double)
            let upper = try XCTUnwrap(json["upper"] as? Double)
            XCTAssertTrue(0 <= lower && lower <= score && score <= upper && upper <= 1, "\(lower) \(score) \(upper)")
            let sources = try XCTUnwrap(json["sources"] as? [[String: Any]])
            XCTAssertFalse(sources.isEmpty)
            XCTAssertEqual(sources.first?["id"] as? String, "reset-password")
            XCTAssertFalse((json["reason"] as? String ?? "").isEmpty)
        }
    }

    func testAskWithAnEmptyKnowledgeBaseEscalatesWithNullArticle() async throws {
        try await withAPI { _, api in
            let response = try await api.post("/v1/ask", json: ["text": "Where is my parcel?"])
            XCTAssertEqual(response.status, 200, response.text)
            XCTAssertEqual(response.json["decision"] as? String, "escalate")
            XCTAssertTrue(response.json.keys.contains("article"), "article is present, as null: \(response.text)")
            XCTAssertTrue(response.json["article"] is NSNull)
            XCTAssertFalse((response.json["conversation_id"] as? String ?? "").isEmpty)
        }
    }

    func testEmptyAndOversizedQuestionsAreRefusedClearly() async throws {
        try await withAPI { _, api in
            for text in ["", "   \n\t "] {
                let empty = try await api.post("/v1/ask", json: ["text": text])
                XCTAssertEqual(empty.status, 400)
                XCTAssertEqual(empty.errorCode, "empty_question")
                XCTAssertTrue(empty.errorMessage.contains("empty"), empty.errorMessage)
            }
            let long = try await api.post("/v1/ask", json: ["text": String(repeating: "a", count: 100_000)])
            XCTAssertEqual(long.status, 400)
            XCTAssertEqual(long.errorCode, "question_too_long")
            XCTAssertTrue(long.errorMessage.contains("100000") && long.errorMessage.contains("8000"), long.errorMessage)
            let huge = try await api.post("/v1/ask", json: ["text": String(repeating: "b", count: 1_100_000)])
            XCTAssertEqual(huge.status, 413)
            XCTAssertEqual(huge.errorCode, "payload_too_large")
            XCTAssertTrue(huge.errorMessage.contains("1048576"), huge.errorMessage)
        }
    }

    func testMalformedJSONIs400NamingTheProblem() async throws {
        try await withAPI { _, api in
            let cases: [(String, String)] = [
                (#"{"text": "#, "not valid JSON"),
                (#"{"question": "hi"}"#, "\"text\""),
                (#"{"text": 5}"#, "must be a string"),
                (#"{"text": "hi", "context": {"seats": 5}}"#, "context"),
                ("", "empty"),
            ]
            for (body, expected) in cases {
                let response = try await api.send(.post, "/v1/ask", body: body)
                XCTAssertEqual(response.status, 400, body)
                XCTAssertEqual(response.errorCode, "malformed_json", body)
                XCTAssertTrue(response.errorMessage.contains(expected), "\(body) → \(response.errorMessage)")
            }
            let outcome = try await api.send(.post, "/v1/outcomes", body: #"{"impression_id": "imp_1", "outcome": "happy"}"#)
            XCTAssertEqual(outcome.status, 400)
            XCTAssertTrue(outcome.errorMessage.contains("resolved, escalated, corrected, reopened, csat"), outcome.errorMessage)
        }
    }
}

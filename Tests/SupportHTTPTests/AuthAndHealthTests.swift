import Foundation
@testable import SupportHTTP
import XCTest

/// `GET /v1/health` without a token (its status only); 401 for every other path without the right one.
final class AuthAndHealthTests: XCTestCase {
    func testHealthNeedsNoTokenAndReportsTheCoreAndTheOutboxToTokenHolders() async throws {
        try await withAPI { _, api in
            let anonymous = try await api.send(.get, "/v1/health", token: nil)
            XCTAssertEqual(anonymous.status, 200, anonymous.text)
            XCTAssertEqual(anonymous.json as NSDictionary, ["status": "ok"], "no internals without the token")
            let health = try await api.send(.get, "/v1/health")
            XCTAssertEqual(health.status, 200, health.text)
            XCTAssertEqual(health.json["status"] as? String, "ok")
            XCTAssertEqual((health.json["core"] as? [String: Any])?["reachable"] as? Bool, true)
            XCTAssertEqual((health.json["outbox"] as? [String: Any])?["pending"] as? Int, 0)
        }
    }

    func testMissingWrongOrMalformedTokenIs401WithAChallenge() async throws {
        try await withAPI { _, api in
            for token in [nil, "wrong-token", APIHarness.token + "x", String(APIHarness.token.dropLast())] as [String?] {
                let response = try await api.post("/v1/ask", json: ["text": "reset my password"], token: token)
                XCTAssertEqual(response.status, 401, "token \(token ?? "none")")
                XCTAssertEqual(response.errorCode, "unauthorized")
                XCTAssertEqual(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer"), true)
            }
            let basic = try await api.send(.get, "/v1/articles", token: nil, headers: [.authorization: "Basic dXNlcjpwYXNz"])
            XCTAssertEqual(basic.status, 401)
            XCTAssertTrue(basic.errorMessage.contains("Bearer"), basic.errorMessage)
            // Unknown paths are not revealed without a token either.
            let hidden = try await api.send(.get, "/v1/nothing-here", token: nil)
            XCTAssertEqual(hidden.status, 401)
            let allowed = try await api.send(.get, "/v1/articles")
            XCTAssertEqual(allowed.status, 200, allowed.text)
        }
    }

    func testWithoutAConfiguredTokenEverythingIsOpen() async throws {
        try await withAPI(token: nil) { _, api in
            let open = try await api.send(.get, "/v1/articles", token: nil)
            XCTAssertEqual(open.status, 200, open.text)
        }
    }

    func testUnknownRouteIsAJSON404() async throws {
        try await withAPI { _, api in
            let response = try await api.send(.get, "/v1/nothing-here")
            XCTAssertEqual(response.status, 404)
            XCTAssertEqual(response.errorCode, "not_found")
        }
    }

    func testTokenComparisonIsExact() {
        let equal = BearerAuthMiddleware<LoopdeskRequestContext>.constantTimeEqual
        XCTAssertTrue(equal(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(equal(Array("abd".utf8), Array("abc".utf8)))
        XCTAssertFalse(equal(Array("ab".utf8), Array("abc".utf8)))
        XCTAssertFalse(equal(Array("abcd".utf8), Array("abc".utf8)))
        XCTAssertFalse(equal([], Array("abc".utf8)))
        XCTAssertFalse(equal(Array(repeating: 0, count: 256), []))
    }
}

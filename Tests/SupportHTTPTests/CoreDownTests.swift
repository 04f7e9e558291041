import Foundation
import XCTest

/// A core that is down: 503 with retry advice, outcomes queued, and recovery by itself.
final class CoreDownTests: XCTestCase {
    func testCoreDownGives503AndQueuedOutcomesArriveAfterTheRestart() async throws {
        try await withAPI { harness, api in
            try await api.importSampleArticles()
            let asked = try await api.post("/v1/ask", json: ["text": "Refunds for annual plans"])
            XCTAssertEqual(asked.status, 200, asked.text)
            let impression = try XCTUnwrap(asked.json["impression_id"] as? String)
            let before = try await harness.resolvedFeedbackCount()

            harness.stopCore()
            let down = try await api.post("/v1/ask", json: ["text": "How do I export data?"])
            XCTAssertEqual(down.status, 503, down.text)
            XCTAssertEqual(down.errorCode, "core_unavailable")
            let retryAfter = try XCTUnwrap(down.headers[.retryAfter].flatMap(Int.init), "Retry-After header")
            XCTAssertGreaterThanOrEqual(retryAfter, 1)
            let health = try await api.send(.get, "/v1/health")
            XCTAssertEqual(health.json["status"] as? String, "degraded")
            XCTAssertEqual((health.json["core"] as? [String: Any])?["reachable"] as? Bool, false)

            // An outcome while the core is down is accepted and queued in SQLite.
            // The agent solved the escalation with the suggested article, and says so.
            let outcome = try await api.post("/v1/outcomes", json: ["impression_id": impression, "outcome": "resolved",
                                                                   "article_id": "refund-policy"])
            XCTAssertEqual(outcome.status, 200, outcome.text)
            XCTAssertEqual(outcome.json["status"] as? String, "recorded")
            XCTAssertEqual(outcome.json["delivered"] as? Bool, false)
            XCTAssertGreaterThan(try harness.service.store.pendingOperationCount(), 0)
            let queued = try await api.send(.get, "/v1/health")
            XCTAssertGreaterThan((queued.json["outbox"] as? [String: Any])?["pending"] as? Int ?? 0, 0)

            try harness.startCore()
            harness.service.startBackgroundDelivery(interval: 0.1)
            try await eventually("the queued outcome is delivered") {
                try harness.service.store.pendingOperationCount() == 0
            }
            let resolvedCount = try await harness.resolvedFeedbackCount()
            XCTAssertEqual(resolvedCount, before + 1, "the ranker has the outcome sent while it was down")
            // The service reconnected by itself.
            let again = try await api.post("/v1/ask", json: ["text": "How do I export data?"])
            XCTAssertEqual(again.status, 200, again.text)
            let healthy = try await api.send(.get, "/v1/health", token: nil)
            XCTAssertEqual(healthy.json["status"] as? String, "ok")
        }
    }
}

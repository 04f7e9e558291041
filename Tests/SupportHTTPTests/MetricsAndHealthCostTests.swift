import Foundation
import Hummingbird
import HummingbirdTesting
import Support
import SupportHTTP
import XCTest

/// `/metrics` and `/v1/health` read the store's running counters, not its history; the
/// health check tells strangers the status only; data-path failures show in `/metrics`.
final class MetricsAndHealthCostTests: XCTestCase {
    func testAFreshScrapeReportsTheStoresCountersAndHealthHidesThemWithoutTheToken() async throws {
        try await withAPI { harness, api in
            try await api.importSampleArticles()
            for question in ["Reset your password", "Refunds for annual plans", "Where is my parcel?"] {
                let reply = try await api.post("/v1/ask", json: ["text": question])
                XCTAssertEqual(reply.status, 200, reply.text)
            }
            let counters = try harness.service.store.counters()
            XCTAssertEqual(counters.asks, 3)
            XCTAssertEqual(counters.answered + counters.escalated, 3)
            // A new process (fresh metrics) over the same store starts from the counters, in one read.
            let text = try LoopdeskMetrics().scrape(harness.service)
            XCTAssertTrue(text.contains("\nloopdesk_asks_total{workspace=\"default\"} 3\n"), text)
            XCTAssertTrue(text.contains("\nloopdesk_answer_score_count{workspace=\"default\"} 3\n"), text)
            XCTAssertTrue(text.contains("\nloopdesk_core_outbox_pending{workspace=\"default\"} \(Double(counters.outboxPending))\n"), text)

            let anonymous = try await api.send(.get, "/v1/health", token: nil)
            XCTAssertEqual(anonymous.status, 200)
            XCTAssertEqual(Set(anonymous.json.keys), ["status"], anonymous.text)
            for secret in ["outbox", "pending", "core", "reachable", "sqlite", "/tmp", "version"] {
                XCTAssertFalse(anonymous.text.contains(secret), "\(secret) in \(anonymous.text)")
            }
            let wrong = try await api.send(.get, "/v1/health", token: "not-the-token")
            XCTAssertEqual(Set(wrong.json.keys), ["status"], "a wrong token sees no more than none")
            let insider = try await api.send(.get, "/v1/health")
            XCTAssertEqual(Set(insider.json.keys), ["status", "core", "outbox"], insider.text)
        }
    }

    func testDataPathFailuresShowInTheMetrics() async throws {
        let harness = try await APIHarness()
        let failures = DataPathFailures()
        let metrics = LoopdeskMetrics(failures: failures)
        let first = try metrics.scrape(harness.service)
        XCTAssertTrue(first.contains("\nloopdesk_data_path_failures_total{path=\"outbox_record\"} 0\n"), first)
        failures.record(.outboxRecord, POSIXError(.EIO), what: "a test")
        failures.record(.outboxRecord, POSIXError(.EIO), what: "a test")
        let second = try metrics.scrape(harness.service)
        XCTAssertTrue(second.contains("\nloopdesk_data_path_failures_total{path=\"outbox_record\"} 2\n"), second)
        XCTAssertTrue(second.contains("\nloopdesk_data_path_failures_total{path=\"stored_tags\"} 0\n"), second)
        await harness.close()
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Support
import SupportHTTP
import XCTest

/// `GET /metrics` (``LoopdeskMetrics``): the families, help texts and series a scraper's
/// dashboards and alerts are written against, and the metrics a server is built with.
final class LoopdeskMetricsTests: XCTestCase {
    /// Every metric family with its Prometheus type and help text.
    static let families: [String: (type: String, help: String)] = [
        "loopdesk_asks_total": ("counter", "Questions asked (answers recorded in the store)."),
        "loopdesk_answers_total": ("counter", "Questions the service answered itself."),
        "loopdesk_escalations_total": ("counter", "Questions the policy escalated to a person."),
        "loopdesk_outcomes_total": ("counter", "Outcomes recorded, by kind."),
        "loopdesk_answer_score": ("histogram", "The ranker's P(resolved) for the best candidate of each question."),
        "loopdesk_ask_duration_seconds": ("histogram", "Time to serve POST /v1/ask in this process."),
        "loopdesk_core_outbox_pending": ("gauge", "Core operations waiting for delivery."),
        "loopdesk_open_gaps": ("gauge", "Open knowledge gaps (kind=gap) and bug clusters (kind=bug)."),
        "loopdesk_data_path_failures_total": ("counter", "Failures counted and logged without failing the request they happened in."),
        "loopdesk_helpdesk_writes_pending": ("gauge", "Replies and notes waiting for the helpdesk to acknowledge them."),
        "loopdesk_helpdesk_writes_failed": ("gauge", "Replies and notes given up (out of attempts, or the ticket is gone)."),
    ]

    /// Every series (name and labels), whatever has happened yet.
    static var series: Set<String> {
        func histogram(_ name: String, _ bounds: [String], label: String = "") -> [String] {
            let prefix = label.isEmpty ? "" : label + ","
            let plain = label.isEmpty ? "" : "{\(label)}"
            return (bounds + ["+Inf"]).map { "\(name)_bucket{\(prefix)le=\"\($0)\"}" } + ["\(name)_sum\(plain)", "\(name)_count\(plain)"]
        }
        let workspace = "workspace=\"default\""
        return Set(["loopdesk_asks_total", "loopdesk_answers_total", "loopdesk_escalations_total", "loopdesk_core_outbox_pending",
                    "loopdesk_helpdesk_writes_pending", "loopdesk_helpdesk_writes_failed"]
            .map { "\($0){\(workspace)}" }
            + ["resolved", "escalated", "corrected", "reopened", "csat"].map { "loopdesk_outcomes_total{\(workspace),kind=\"\($0)\"}" }
            + ["gap", "bug"].map { "loopdesk_open_gaps{\(workspace),kind=\"\($0)\"}" }
            + DataPathFailure.allCases.map { "loopdesk_data_path_failures_total{path=\"\($0.rawValue)\"}" }
            + histogram("loopdesk_answer_score", ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"], label: workspace)
            + histogram("loopdesk_ask_duration_seconds", ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0"]))
    }

    /// The `# TYPE` and `# HELP` of each family and the name-and-labels of each sample in `text`.
    static func parse(_ text: String) -> (types: [String: String], helps: [String: String], series: [String]) {
        var types: [String: String] = [:], helps: [String: String] = [:], series: [String] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                types[parts[2]] = parts[3]
            } else if line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                helps[parts[2]] = parts[3]
            } else if let space = line.lastIndex(of: " ") {
                series.append(String(line[..<space]))
            }
        }
        return (types, helps, series)
    }

    func testEveryFamilyIsExposedWithItsTypeHelpAndSeries() async throws {
        try await withAPI { _, api in
            let response = try await api.send(.get, "/metrics")
            XCTAssertEqual(response.status, 200, response.text)
            XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            let scraped = Self.parse(response.text)
            XCTAssertEqual(scraped.types, Self.families.mapValues(\.type))
            XCTAssertEqual(scraped.helps, Self.families.mapValues(\.help))
            XCTAssertEqual(scraped.series.count, Set(scraped.series).count, "a series twice: \(scraped.series)")
            XCTAssertEqual(Set(scraped.series), Self.series)
        }
    }

    func testMetricsNeedTheToken() async throws {
        try await withAPI { _, api in
            let response = try await api.send(.get, "/metrics", token: nil)
            XCTAssertEqual(response.status, 401)
            XCTAssertEqual(response.errorCode, "unauthorized")
        }
    }

    func testAServerRecordsIntoTheMetricsItIsBuiltWithAndNoOthers() async throws {
        let harness = try await APIHarness()
        do {
            let metrics = LoopdeskMetrics()
            let app = LoopdeskHTTPServer.buildApplication(service: harness.service,
                                                          configuration: LoopdeskHTTPConfiguration(token: APIHarness.token),
                                                          metrics: metrics)
            try await app.test(.router) { client in
                let api = APIClient(client: client)
                try await api.importSampleArticles()
                let asked = try await api.post("/v1/ask", json: ["text": "How do I reset my password?"])
                XCTAssertEqual(asked.status, 200, asked.text)
            }
            let text = try metrics.scrape(harness.service)
            XCTAssertTrue(text.contains("\nloopdesk_ask_duration_seconds_count 1\n"), text)
            XCTAssertTrue(text.contains("\nloopdesk_asks_total{workspace=\"default\"} 1\n"), text)

            // The harness's own server, over the same service, timed no ask; its counters
            // still follow the store.
            try await harness.test { api in
                let other = try await api.send(.get, "/metrics")
                XCTAssertTrue(other.text.contains("\nloopdesk_ask_duration_seconds_count 0\n"), other.text)
                XCTAssertTrue(other.text.contains("\nloopdesk_asks_total{workspace=\"default\"} 1\n"), other.text)
            }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }
}

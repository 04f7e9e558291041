import Foundation
import Hummingbird
import XCTest

/// The dashboard pages, `/metrics`, the report and insight endpoints and the ticket import
/// endpoint, on a service with a few questions and outcomes.
final class DashboardTests: XCTestCase {
    /// Imports the sample articles, asks six questions and records outcomes.
    /// - Returns: how many questions were asked.
    @discardableResult
    private static func seed(_ api: APIClient) async throws -> Int {
        try await api.importSampleArticles()
        let questions = ["Reset your password", "How do I reset my password?", "Refunds for annual plans",
                         "Can I get a refund for my annual plan?", "Export your data as CSV", "Where is my parcel?"]
        var impressions: [String] = []
        for question in questions {
            let reply = try await api.post("/v1/ask", json: ["text": question])
            XCTAssertEqual(reply.status, 200, reply.text)
            impressions.append(reply.json["impression_id"] as? String ?? "")
        }
        for (impression, outcome) in zip(impressions, ["resolved", "resolved", "resolved", "escalated", "resolved"]) {
            let response = try await api.post("/v1/outcomes", json: ["impression_id": impression, "outcome": outcome])
            XCTAssertEqual(response.status, 200, response.text)
        }
        let csat = try await api.post("/v1/outcomes", json: ["impression_id": impressions[0], "outcome": "csat", "csat": 5])
        XCTAssertEqual(csat.status, 200, csat.text)
        return questions.count
    }

    private static func assertPage(_ response: APIResponse, contains needles: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        XCTAssertTrue(response.headers[.contentType]?.hasPrefix("text/html") ?? false, file: file, line: line)
        let html = response.text
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), file: file, line: line)
        XCTAssertTrue(html.contains("<svg"), "no chart", file: file, line: line)
        XCTAssertFalse(html.lowercased().contains("error"), "error text on the page", file: file, line: line)
        XCTAssertFalse(html.contains("<script"), file: file, line: line)
        XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"),
                       "an external resource", file: file, line: line)
        for needle in needles { XCTAssertTrue(html.contains(needle), "missing \(needle)", file: file, line: line) }
    }

    func testPagesRenderWithData() async throws {
        try await withAPI { _, api in
            try await Self.seed(api)
            let overview = try await api.send(.get, "/dashboard")
            Self.assertPage(overview, contains: ["account", "billing", "reports", "Learning curve", "Confidence", "Escalation by topic"])
            let gaps = try await api.send(.get, "/dashboard/gaps")
            Self.assertPage(gaps, contains: ["Knowledge gaps", "Bug clusters", "Feature requests"])
            let decisions = try await api.send(.get, "/dashboard/decisions")
            Self.assertPage(decisions, contains: ["Where is my parcel?", "Reset your password", "account", "billing", "resolved"])
        }
    }

    func testPagesRenderEmpty() async throws {
        try await withAPI { _, api in
            for path in ["/dashboard", "/dashboard/gaps"] {
                let page = try await api.send(.get, path)
                XCTAssertEqual(page.status, 200, page.text)
                XCTAssertTrue(page.text.contains("<svg"), path)
            }
            let decisions = try await api.send(.get, "/dashboard/decisions")
            XCTAssertEqual(decisions.status, 200)
            XCTAssertTrue(decisions.text.contains("No questions have been asked yet."))
        }
    }

    func testDashboardTakesTheTokenFromTheQueryOrTheHeader() async throws {
        try await withAPI { _, api in
            let none = try await api.send(.get, "/dashboard", token: nil)
            XCTAssertEqual(none.status, 401)
            XCTAssertTrue(none.errorMessage.contains("?token="), none.errorMessage)
            let wrong = try await api.send(.get, "/dashboard?token=nope", token: nil)
            XCTAssertEqual(wrong.status, 401)
            let query = try await api.send(.get, "/dashboard/decisions?token=\(APIHarness.token)", token: nil)
            XCTAssertEqual(query.status, 200)
            let linked = try await api.send(.get, "/dashboard?token=\(APIHarness.token)", token: nil)
            XCTAssertTrue(linked.text.contains("/dashboard/gaps?token=\(APIHarness.token)"), "links keep the token")
            let header = try await api.send(.get, "/dashboard/gaps")
            XCTAssertEqual(header.status, 200)
            // The API itself still wants the header.
            let apiByQuery = try await api.send(.get, "/v1/reports/topics?token=\(APIHarness.token)", token: nil)
            XCTAssertEqual(apiByQuery.status, 401)
        }
    }

    func testMetricsParseAsPrometheusText() async throws {
        try await withAPI { _, api in
            let asked = try await Self.seed(api)
            let response = try await api.send(.get, "/metrics")
            XCTAssertEqual(response.status, 200)
            XCTAssertTrue(response.headers[.contentType]?.hasPrefix("text/plain") ?? false)
            var samples: [String: Double] = [:]
            var types: [String: String] = [:]
            let sample = try NSRegularExpression(pattern: #"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$"#)
            for line in response.text.split(separator: "\n").map(String.init) {
                if line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    types[String(parts[2])] = String(parts[3])
                    continue
                }
                if line.hasPrefix("#") || line.isEmpty { continue }
                let range = NSRange(line.startIndex..., in: line)
                guard let match = sample.firstMatch(in: line, range: range) else { XCTFail("not a Prometheus sample: \(line)"); continue }
                let name = String(line[Range(match.range(at: 1), in: line)!])
                let labels = match.range(at: 2).location == NSNotFound ? "" : String(line[Range(match.range(at: 2), in: line)!])
                samples[name + labels] = Double(String(line[Range(match.range(at: 3), in: line)!]))
            }
            XCTAssertEqual(types["loopdesk_asks_total"], "counter")
            XCTAssertEqual(types["loopdesk_answer_score"], "histogram")
            XCTAssertEqual(types["loopdesk_ask_duration_seconds"], "histogram")
            XCTAssertEqual(types["loopdesk_core_outbox_pending"], "gauge")
            XCTAssertEqual(types["loopdesk_open_gaps"], "gauge")
            XCTAssertEqual(samples["loopdesk_asks_total{workspace=\"default\"}"], Double(asked))
            XCTAssertEqual((samples["loopdesk_answers_total{workspace=\"default\"}"] ?? 0) + (samples["loopdesk_escalations_total{workspace=\"default\"}"] ?? 0), Double(asked))
            XCTAssertEqual(samples["loopdesk_outcomes_total{workspace=\"default\",kind=\"resolved\"}"], 4)
            XCTAssertEqual(samples["loopdesk_outcomes_total{workspace=\"default\",kind=\"csat\"}"], 1)
            XCTAssertEqual(samples["loopdesk_answer_score_count{workspace=\"default\"}"], Double(asked))
            XCTAssertEqual(samples["loopdesk_ask_duration_seconds_count"], Double(asked))
            XCTAssertNotNil(samples["loopdesk_open_gaps{workspace=\"default\",kind=\"gap\"}"])

            // A second scrape adds only what is new.
            _ = try await api.post("/v1/ask", json: ["text": "Reset your password"])
            let again = try await api.send(.get, "/metrics")
            XCTAssertTrue(again.text.contains("loopdesk_asks_total{workspace=\"default\"} \(asked + 1)"), again.text)
        }
    }

    func testReportAndInsightEndpoints() async throws {
        try await withAPI { _, api in
            let asked = try await Self.seed(api)
            let week = try await api.send(.get, "/v1/reports/resolution?by=week")
            XCTAssertEqual(week.status, 200, week.text)
            XCTAssertEqual(week.json["by"] as? String, "week")
            let total = try XCTUnwrap(week.json["total"] as? [String: Any])
            XCTAssertEqual(total["asked"] as? Int, asked)
            for key in ["resolution_rate", "escalation_rate", "reopen_rate", "wrong_rate", "csat_mean", "pending"] {
                XCTAssertTrue(total.keys.contains(key), key)
            }
            let periods = try XCTUnwrap(week.json["periods"] as? [[String: Any]])
            XCTAssertTrue((periods.last?["period"] as? String ?? "").contains("-W"))
            let day = try await api.send(.get, "/v1/reports/resolution?by=day&days=7")
            XCTAssertEqual((day.json["periods"] as? [Any])?.count, 7)
            let bad = try await api.send(.get, "/v1/reports/resolution?by=month")
            XCTAssertEqual(bad.status, 400)
            XCTAssertTrue(bad.errorMessage.contains("day or week"), bad.errorMessage)

            let topics = try await api.send(.get, "/v1/reports/topics")
            let names = (topics.json["topics"] as? [[String: Any]] ?? []).compactMap { $0["topic"] as? String }
            XCTAssertTrue(Set(names).isSuperset(of: ["account", "billing"]), "\(names)")
            let confidence = try await api.send(.get, "/v1/reports/confidence?bins=5")
            XCTAssertEqual((confidence.json["edges"] as? [Double])?.count, 6)
            XCTAssertEqual((confidence.json["overall"] as? [String: Any])?["count"] as? Int, asked)

            let insights = try await api.send(.get, "/v1/insights")
            XCTAssertEqual(insights.status, 200, insights.text)
            XCTAssertEqual(Set(insights.json.keys), ["generated_at", "spikes", "recurring", "feature_requests"])
        }
    }

    func testTicketImportEndpointIsIdempotent() async throws {
        try await withAPI { harness, api in
            let csv = """
                id,subject,question,agent_reply,status,tags
                T-1,Login loop,I keep getting sent back to the login page,"Clear cookies for app.example.com, then sign in again.",Solved,login
                T-2,Invoice address,Can I change the address on an old invoice?,,Open,billing

                """
            let first = try await api.send(.post, "/v1/import/tickets?format=csv", body: csv, headers: [.contentType: "text/csv"])
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(first.json["articles_created"] as? Int, 1)
            XCTAssertEqual(first.json["aliases_added"] as? Int, 1)
            XCTAssertEqual(first.json["skipped_unresolved"] as? Int, 1)
            XCTAssertNotNil(try harness.service.store.article(id: "ticket-csv-T-1"))
            let second = try await api.send(.post, "/v1/import/tickets?format=csv", body: csv, headers: [.contentType: "text/csv"])
            XCTAssertEqual(second.json["articles_created"] as? Int, 0)
            XCTAssertEqual(second.json["aliases_added"] as? Int, 0)
            let unknown = try await api.send(.post, "/v1/import/tickets?format=kayako", body: csv)
            XCTAssertEqual(unknown.status, 400)
        }
    }
}

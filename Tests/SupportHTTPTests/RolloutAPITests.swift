import Foundation
import HTTPTypes
import Hummingbird
@testable import SupportHTTP
import XCTest

/// `POST /v1/baseline`, `GET /v1/reports/rollout` (JSON and `?format=html`) and `/dashboard/rollout`
/// (docs/API.md "Roll-out report").
final class RolloutAPITests: XCTestCase {
    static let baselineCSV = """
        id,subject,question,status,tags,created_at,first_reply_at,solved_at,reopens,csat
        1,Password,how do I reset my password,solved,account,2024-11-01T10:00:00Z,2024-11-01T10:10:00Z,2024-11-01T11:00:00Z,0,5
        2,Invoice,where is my invoice,solved,billing,2024-11-02T10:00:00Z,2024-11-02T10:30:00Z,2024-11-02T13:00:00Z,1,2

        """

    func testABaselineIsImportedAndTheReportShowsItBesideTheCheckpoints() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            let before = try await api.send(.get, "/v1/reports/rollout")
            XCTAssertEqual(before.status, 200, before.text)
            XCTAssertTrue(before.json["deployed_at"] is NSNull, "nothing answered live yet")
            XCTAssertEqual((before.json["checkpoints"] as? [Any])?.count, 0)
            XCTAssertEqual(((before.json["baseline"] as? [String: Any])?["topics"] as? [Any])?.count, 0)

            var csv: HTTPFields = [:]
            csv[.contentType] = "text/csv"
            let imported = try await api.send(.post, "/v1/baseline?format=csv", body: Self.baselineCSV, headers: csv)
            XCTAssertEqual(imported.status, 200, imported.text)
            XCTAssertEqual(imported.json["tickets"] as? Int, 2)
            XCTAssertEqual(imported.json["mapped_by_tag"] as? Int, 2)
            let report = try await api.send(.get, "/v1/reports/rollout")
            let topics = try XCTUnwrap((report.json["baseline"] as? [String: Any])?["topics"] as? [[String: Any]], report.text)
            let account = try XCTUnwrap(topics.first { $0["topic"] as? String == "account" })
            XCTAssertEqual(account["tickets"] as? Int, 1)
            XCTAssertEqual(account["resolution_rate"] as? Double, 1)
            XCTAssertEqual(account["median_first_reply_seconds"] as? Double, 600)
            XCTAssertEqual(account["median_resolution_seconds"] as? Double, 3600)
            XCTAssertNotNil(account["ci_low"] as? Double)
            let billing = try XCTUnwrap(topics.first { $0["topic"] as? String == "billing" })
            XCTAssertEqual(billing["resolution_rate"] as? Double, 0, "solved but reopened is no resolution")
            XCTAssertEqual(billing["reopen_rate"] as? Double, 1)

            let page = try await api.send(.get, "/v1/reports/rollout?format=html")
            XCTAssertEqual(page.status, 200)
            XCTAssertEqual(page.headers[.contentType], "text/html; charset=utf-8")
            XCTAssertTrue(page.text.contains("<h2>Before</h2>"), page.text)
            XCTAssertTrue(page.text.contains("has not answered anyone live yet"))
            let dashboard = try await api.send(.get, "/dashboard/rollout")
            XCTAssertEqual(dashboard.status, 200, dashboard.text)
            XCTAssertTrue(dashboard.text.contains("<h2>Topics</h2>"))
            XCTAssertTrue(dashboard.text.contains("<h2>Before</h2>"))
            XCTAssertTrue(dashboard.text.contains("class=\"interval\""), "the baseline's intervals are drawn")
        }
    }

    func testABadBaselineIsRefusedWithItsLineAndNothingIsStored() async throws {
        try await withAPI { _, api in
            var csv: HTTPFields = [:]
            csv[.contentType] = "text/csv"
            let bad = try await api.send(.post, "/v1/baseline?format=csv", body: "id,subject,question,status,reopens\n1,s,q,solved,-1\n",
                                         headers: csv)
            XCTAssertEqual(bad.status, 400, bad.text)
            XCTAssertTrue(bad.text.contains("line 2: reopens"), bad.text)
            let format = try await api.send(.post, "/v1/baseline?format=excel", body: "x", headers: csv)
            XCTAssertEqual(format.status, 400, format.text)
            let html = try await api.send(.get, "/v1/reports/rollout?format=pdf")
            XCTAssertEqual(html.status, 400, html.text)
            let report = try await api.send(.get, "/v1/reports/rollout")
            XCTAssertEqual(((report.json["baseline"] as? [String: Any])?["topics"] as? [Any])?.count, 0)
            let anonymous = try await api.send(.get, "/v1/reports/rollout", token: nil)
            XCTAssertEqual(anonymous.status, 401)
        }
    }
}

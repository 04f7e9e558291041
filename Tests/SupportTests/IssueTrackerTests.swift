import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// Bug clusters where engineers work: one Linear or Jira issue per cluster, opened when it
/// crosses the bug threshold, one comment each time it doubles — against test doubles of
/// Linear's GraphQL and Jira's REST API, through the webhook outbox.
final class IssueTrackerTests: XCTestCase {
    private let reports = [
        "The CSV export crashes every time I press Export", "export crashes when I download the CSV",
        "CSV export crashed again, error 500", "Exporting to CSV crashes the app", "the export to csv keeps crashing",
        "CSV export is crashing for me too", "csv export crash after the update", "export to CSV crashes on large files",
        "the CSV export crash is back", "CSV export crashes with an error",
    ]

    private func waitFor(_ seconds: Double, _ condition: () -> Bool) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
    }

    private func askReports(_ service: SupportService, count: Int) async throws {
        try await service.upsertArticles([
            ArticleInput(id: "export", title: "Export your data", body: "Under Settings, Data, press Export to download a CSV file."),
            ArticleInput(id: "login", title: "Sign in", body: "Sign in with your email address and password."),
        ])
        for (i, text) in reports.prefix(count).enumerated() {
            _ = try await service.ask(AskRequest(text: text, context: i == 0 ? ["tags": "bug,export"] : [:]))
        }
    }

    func testGrowthStepsAreDoublingsOfTheThreshold() {
        XCTAssertEqual((1...41).map { IssueTrackers.growthStep(count: $0, threshold: 5) }.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 },
                       [0: 9, 1: 10, 2: 20, 3: 2])
        XCTAssertEqual(IssueTrackers.growthStep(count: 10, threshold: 5), 1)
        XCTAssertEqual(IssueTrackers.growthStep(count: 19, threshold: 5), 1)
        XCTAssertEqual(IssueTrackers.growthStep(count: 20, threshold: 5), 2)
        XCTAssertEqual(IssueTrackers.growthStep(count: 100, threshold: 0), 0)
    }

    func testABugClusterOpensOneLinearIssueAndACommentWhenItDoubles() async throws {
        let linear = try FakeIssueTracker.linear(apiKey: "lin_api_key", team: "team-42", faults: [.status(502)])
        defer { linear.stop() }
        let harness = try GapHarness()
        let service = try await harness.service {
            $0.gaps.webhookBackoff = 0.2
            $0.trackers.accounts[.linear] = .init(baseURL: linear.baseURL, container: "team-42", user: "", secret: "lin_api_key")
        }
        try await askReports(service, count: 10)
        await waitFor(10) { linear.comments.count >= 1 }
        XCTAssertEqual(linear.issues.count, 1, "one issue per cluster, even after a 502")
        let issue = try XCTUnwrap(linear.issues.first)
        XCTAssertTrue(issue.title.hasPrefix("Bug reports: "), issue.title)
        XCTAssertTrue(issue.description.contains("Trend: rising"), issue.description)
        XCTAssertTrue(issue.description.contains("- "), "examples")
        XCTAssertEqual(linear.comments.count, 1, "one comment at twice the threshold")
        XCTAssertEqual(linear.comments.first?.issueID, issue.id, "on the issue it opened")
        XCTAssertTrue(linear.comments.first?.body.contains("grown to 10 questions") == true, linear.comments.first?.body ?? "")
        let requests = linear.requests
        XCTAssertEqual(Set(requests.map(\.path)), ["/graphql"])
        XCTAssertEqual(Set(requests.map { $0.headers["authorization"] ?? "" }), ["lin_api_key"])
        let create = try XCTUnwrap(requests.last { ($0.json?["query"] as? String)?.contains("issueCreate") == true })
        let input = try XCTUnwrap((create.json?["variables"] as? [String: Any])?["input"] as? [String: Any])
        XCTAssertEqual(input["teamId"] as? String, "team-42")
        await service.close()
    }

    func testJiraGetsABugIssueInItsDocumentFormatOnce() async throws {
        let jira = try FakeIssueTracker.jira(email: "eng@acme.com", apiToken: "jira-token", project: "ENG")
        defer { jira.stop() }
        let harness = try GapHarness()
        let service = try await harness.service {
            $0.gaps.webhookBackoff = 0.2
            $0.trackers.accounts[.jira] = .init(baseURL: jira.baseURL, container: "ENG", user: "eng@acme.com", secret: "jira-token")
        }
        try await askReports(service, count: 7)
        await waitFor(10) { jira.issues.count >= 1 }
        await waitFor(1) { false }
        XCTAssertEqual(jira.issues.map(\.id), ["ENG-1"])
        XCTAssertEqual(jira.comments.count, 0, "7 questions: not yet twice the threshold of 5")
        let request = try XCTUnwrap(jira.requests.first)
        XCTAssertEqual(request.path, "/rest/api/3/issue")
        XCTAssertEqual(request.headers["authorization"], "Basic " + Data("eng@acme.com:jira-token".utf8).base64EncodedString())
        let fields = try XCTUnwrap(request.json?["fields"] as? [String: Any])
        XCTAssertEqual(fields["labels"] as? [String], ["bug", "loopdesk"])
        XCTAssertTrue(jira.issues[0].description.contains("7 in all") || jira.issues[0].description.contains("5 in all"), jira.issues[0].description)
        XCTAssertEqual(try service.store.value(forKey: "tracker.jira.issue.\(try XCTUnwrap(service.bugClusters().first).id)"), "ENG-1",
                       "the issue is remembered for the cluster's comments")
        await service.close()
    }

    func testTrackersNeedTheirCredentials() throws {
        XCTAssertThrowsError(try IssueTrackers.from(linearTeam: "t", jiraURL: nil, jiraProject: nil, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("LINEAR_API_KEY"), "\(error)")
        }
        XCTAssertThrowsError(try IssueTrackers.from(linearTeam: nil, jiraURL: "https://acme.atlassian.net", jiraProject: nil, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("--jira-project"), "\(error)")
        }
        let both = try IssueTrackers.from(linearTeam: "t", jiraURL: "https://acme.atlassian.net/", jiraProject: "ENG",
                                          environment: ["LINEAR_API_KEY": "k", "JIRA_EMAIL": "e", "JIRA_API_TOKEN": "j"])
        XCTAssertEqual(both.accounts[.jira]?.baseURL.absoluteString, "https://acme.atlassian.net")
        XCTAssertEqual(both.accounts[.linear]?.baseURL.absoluteString, "https://api.linear.app")
        XCTAssertEqual(try IssueTrackers.from(linearTeam: nil, jiraURL: nil, jiraProject: nil, environment: [:]), IssueTrackers())
    }
}

import Foundation
import XCTest

/// Two workspaces on one service with the same article ids and the same questions: each
/// sees only its own articles, aliases, answers and collections; tokens reach only their
/// own workspace; deleting one leaves the other answering (issue 18, "Workspaces").
final class WorkspaceIsolationTests: XCTestCase {
    /// The same ids in both workspaces, with different titles, so a citation shows whose article it is.
    static func articles(_ company: String) -> [[String: Any]] {
        [
            ["id": "reset-password", "title": "Reset your \(company) password",
             "body": "Open Settings, choose Security, then Reset password. We email you a link that is valid for one hour."],
            ["id": "refund-policy", "title": "\(company) refunds for annual plans",
             "body": "Annual plans are refunded in full within 30 days of purchase. Write to billing to ask for a refund."],
        ]
    }

    static func create(_ name: String, _ api: APIClient) async throws -> String {
        let created = try await api.post("/v1/workspaces", json: ["name": name])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json["workspace"] as? String, name)
        let token = try XCTUnwrap(created.json["token"] as? String)
        XCTAssertTrue(token.hasPrefix("ldw_"), token)
        return token
    }

    func testSameIdsAndQuestionsNeverCrossWorkspaces() async throws {
        try await withAPI { harness, api in
            let acme = try await Self.create("acme", api)
            let globex = try await Self.create("globex", api)
            expectStatus(try await api.post("/v1/workspaces", json: ["name": "acme"]), 409)
            for (name, token) in [("acme", acme), ("globex", globex)] {
                let imported = try await api.post("/v1/w/\(name)/articles", json: Self.articles(name.capitalized), token: token)
                XCTAssertEqual(imported.status, 200, imported.text)
            }
            // The default workspace has nothing yet: its knowledge base is not theirs.
            let defaultAsk = try await api.post("/v1/ask", json: ["text": "I forgot my password, how do I reset it?"])
            XCTAssertTrue(defaultAsk.json["article"] is NSNull, defaultAsk.text)

            var impressions: [String: String] = [:]
            for (name, token) in [("acme", acme), ("globex", globex)] {
                let asked = try await api.post("/v1/w/\(name)/ask", json: ["text": "I forgot my password, how do I reset it?"], token: token)
                XCTAssertEqual(asked.status, 200, asked.text)
                let article = try XCTUnwrap(asked.json["article"] as? [String: Any], asked.text)
                XCTAssertEqual(article["id"] as? String, "reset-password")
                XCTAssertEqual(article["title"] as? String, "Reset your \(name.capitalized) password", "cited another workspace's article")
                for source in asked.json["sources"] as? [[String: Any]] ?? [] {
                    XCTAssertTrue((source["title"] as? String ?? "").contains(name.capitalized), "\(name) saw \(source)")
                }
                impressions[name] = try XCTUnwrap(asked.json["impression_id"] as? String)
            }
            // Impressions are numbered per workspace: acme's second one does not exist in globex.
            let second = try await api.post("/v1/w/acme/ask", json: ["text": "refund of my annual plan"], token: acme)
            XCTAssertEqual(second.json["impression_id"] as? String, "imp_2", second.text)
            let crossed = try await api.post("/v1/w/globex/outcomes", json: ["impression_id": "imp_2", "outcome": "resolved"], token: globex)
            expectStatus(crossed, 404)
            // The question resolved in acme becomes an alias of acme's article only.
            let resolved = try await api.post("/v1/w/acme/outcomes", json: ["impression_id": impressions["acme"]!, "outcome": "resolved"],
                                              token: acme)
            XCTAssertEqual(resolved.status, 200, resolved.text)
            let acmeLearned = try await api.send(.get, "/v1/w/acme/learned", token: acme)
            let globexLearned = try await api.send(.get, "/v1/w/globex/learned", token: globex)
            XCTAssertFalse((acmeLearned.json["items"] as? [Any] ?? []).isEmpty, acmeLearned.text)
            XCTAssertEqual((globexLearned.json["items"] as? [Any] ?? []).count, 0, globexLearned.text)

            // Each workspace's collections are its own in the core.
            _ = await harness.workspaces.defaultService.deliverPending()
            for name in ["acme", "globex"] { _ = try await harness.workspaces.service(for: .init(name)).deliverPending() }
            let collections = try await harness.coreCollections()
            XCTAssertEqual(collections["globex.kb"].map { $0 >= 2 }, true, "\(collections)")
            XCTAssertEqual(collections["acme.kb"], (collections["globex.kb"] ?? 0) + 1, "acme's alias is in acme.kb only: \(collections)")
            XCTAssertEqual(collections["kb"], 0, "the default workspace's collection holds nothing of theirs: \(collections)")

            // /metrics counts each workspace under its own label.
            let metrics = try await api.send(.get, "/metrics").text
            for line in ["loopdesk_asks_total{workspace=\"acme\"} 2", "loopdesk_asks_total{workspace=\"globex\"} 1",
                         "loopdesk_asks_total{workspace=\"default\"} 1",
                         "loopdesk_outcomes_total{workspace=\"acme\",kind=\"resolved\"} 1",
                         "loopdesk_outcomes_total{workspace=\"globex\",kind=\"resolved\"} 0"] {
                XCTAssertTrue(metrics.contains("\n" + line + "\n"), "\(line) not in\n\(metrics)")
            }
            XCTAssertEqual(metrics.components(separatedBy: "# TYPE loopdesk_answer_score histogram").count, 2, "one TYPE line per family")
        }
    }

    func testTokensReachOnlyTheirOwnWorkspace() async throws {
        try await withAPI { _, api in
            let acme = try await Self.create("acme", api)
            _ = try await Self.create("globex", api)
            let ask = ["text": "How do I get a refund?"]
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask, token: acme), 200)
            let other = try await api.post("/v1/w/globex/ask", json: ask, token: acme)
            XCTAssertEqual(other.status, 403, other.text)
            XCTAssertEqual(other.errorCode, "forbidden")
            expectStatus(try await api.post("/v1/ask", json: ask, token: acme), 403, "the default workspace is not acme's")
            expectStatus(try await api.send(.get, "/v1/workspaces", token: acme), 403, "a workspace token cannot manage workspaces")
            expectStatus(try await api.post("/v1/workspaces", json: ["name": "evil"], token: acme), 403)
            // No token, or one the service does not know, is 401 before any workspace is looked up.
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask, token: nil), 401)
            expectStatus(try await api.post("/v1/w/nowhere/ask", json: ask, token: "ldw_made-up"), 401)
            let unknown = try await api.post("/v1/w/nowhere/ask", json: ask)
            XCTAssertEqual(unknown.status, 404, unknown.text)
            XCTAssertEqual(unknown.errorCode, "unknown_workspace")
            expectStatus(try await api.post("/v1/w/Bad.Name/ask", json: ask), 400)
            // The admin token reaches every workspace; health stays public under a workspace too.
            expectStatus(try await api.post("/v1/w/globex/ask", json: ask), 200)
            expectStatus(try await api.send(.get, "/v1/w/acme/health", token: nil), 200)
            // A second token works as the first; both die with the workspace.
            let second = try await api.send(.post, "/v1/workspaces/acme/tokens")
            XCTAssertEqual(second.status, 201, second.text)
            let rotated = try XCTUnwrap(second.json["token"] as? String)
            XCTAssertNotEqual(rotated, acme)
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask, token: rotated), 200)
            expectStatus(try await api.send(.delete, "/v1/workspaces/acme"), 200)
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask, token: acme), 401)
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask, token: rotated), 401)
        }
    }

    func testDeletingOneWorkspaceLeavesTheOtherIntact() async throws {
        try await withAPI { harness, api in
            let acme = try await Self.create("acme", api)
            let globex = try await Self.create("globex", api)
            for (name, token) in [("acme", acme), ("globex", globex)] {
                expectStatus(try await api.post("/v1/w/\(name)/articles", json: Self.articles(name.capitalized), token: token), 200)
                expectStatus(try await api.post("/v1/w/\(name)/ask", json: ["text": "refund please"], token: token), 200)
            }
            _ = try await harness.workspaces.service(for: .init("acme")).deliverPending()
            let before = try await harness.coreCollections()
            let deleted = try await api.send(.delete, "/v1/workspaces/acme")
            XCTAssertEqual(deleted.status, 200, deleted.text)
            let removed = try XCTUnwrap(deleted.json["removed"] as? [String: Any], deleted.text)
            XCTAssertEqual(removed["articles"] as? Int, 2)
            XCTAssertEqual(removed["answers"] as? Int, 1)
            XCTAssertEqual(removed["vectors"] as? Int, Int((before["acme.kb"] ?? 0) + (before["acme.gaps"] ?? 0)), "\(before)")
            let listed = try await api.send(.get, "/v1/workspaces")
            XCTAssertEqual((listed.json["workspaces"] as? [[String: Any]])?.compactMap { $0["workspace"] as? String }, ["default", "globex"])
            let collections = try await harness.coreCollections()
            XCTAssertNil(collections["acme.kb"], "\(collections)")
            XCTAssertEqual(collections["globex.kb"], before["globex.kb"])
            let stillThere = try await api.post("/v1/w/globex/ask", json: ["text": "how do I get a refund for my annual plan"], token: globex)
            XCTAssertEqual((stillThere.json["article"] as? [String: Any])?["title"] as? String, "Globex refunds for annual plans", stillThere.text)
            expectStatus(try await api.post("/v1/w/acme/ask", json: ["text": "refund"]), 404)
            expectStatus(try await api.send(.delete, "/v1/workspaces/acme"), 404, "deleting twice is a 404, not a 500")
            expectStatus(try await api.send(.delete, "/v1/workspaces/default"), 400)
            // The name can be used again, and starts empty.
            let again = try await Self.create("acme", api)
            let fresh = try await api.post("/v1/w/acme/ask", json: ["text": "refund please"], token: again)
            XCTAssertTrue(fresh.json["article"] is NSNull, fresh.text)
        }
    }
}

/// Fails when `response` has another status than `status`, showing its body.
func expectStatus(_ response: APIResponse, _ status: Int, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, status, "\(message) \(response.text)", file: file, line: line)
}

import Foundation
import XCTest

/// The dashboard's workspace picker: `?workspace=NAME` shows that workspace's figures, and the
/// page's links and forms keep it.
final class DashboardWorkspaceTests: XCTestCase {
    func testThePickerShowsEachWorkspacesOwnPages() async throws {
        try await withAPI { _, api in
            let token = try await WorkspaceIsolationTests.create("acme", api)
            expectStatus(try await api.post("/v1/w/acme/articles", json: WorkspaceIsolationTests.articles("Acme"), token: token), 200)
            let asked = try await api.post("/v1/w/acme/ask", json: ["text": "acme-only question about a password reset"], token: token)
            expectStatus(asked, 200)
            expectStatus(try await api.post("/v1/w/acme/outcomes", json: ["impression_id": asked.json["impression_id"] as? String ?? "",
                                                                          "outcome": "resolved"], token: token), 200)
            expectStatus(try await api.post("/v1/ask", json: ["text": "a default-workspace question about invoices"]), 200)

            let acme = try await api.send(.get, "/dashboard/decisions?workspace=acme")
            expectStatus(acme, 200)
            XCTAssertTrue(acme.text.contains("acme-only question"), acme.text)
            XCTAssertFalse(acme.text.contains("default-workspace question"), "acme's page shows the default workspace's decisions")
            XCTAssertTrue(acme.text.contains("<option value=\"acme\" selected>"), "the picker marks the workspace shown")
            XCTAssertTrue(acme.text.contains("href=\"/dashboard/learned?workspace=acme\""), "links keep the workspace")
            let own = try await api.send(.get, "/dashboard/decisions")
            XCTAssertTrue(own.text.contains("default-workspace question"))
            XCTAssertFalse(own.text.contains("acme-only question"), "the default page shows acme's decisions")

            let learned = try await api.send(.get, "/dashboard/learned?workspace=acme")
            XCTAssertTrue(learned.text.contains("action=\"/dashboard/learned/undo?workspace=acme\""), "the undo form acts on acme")
            expectStatus(try await api.send(.get, "/dashboard?workspace=nowhere"), 404)
            expectStatus(try await api.send(.get, "/dashboard/gaps?workspace=Bad.Name"), 400)
            expectStatus(try await api.send(.get, "/dashboard?workspace=acme", token: token), 401,
                         "the dashboard is the admin token's: a workspace token does not open it")
        }
    }
}

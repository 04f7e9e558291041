import Foundation
import HTTPTypes
import Hummingbird
@testable import SupportHTTP
import XCTest

/// `GET /v1/learned`, `DELETE /v1/learned/{id}`, the article edits, and `/dashboard/learned`
/// with its undo form, guarded against cross-site posts.
final class LearnedAPITests: XCTestCase {
    /// A question corrected to `refund-policy`: one learned alias. Returns its item.
    private static func learnAnAlias(_ api: APIClient) async throws -> [String: Any] {
        try await api.importSampleArticles()
        let asked = try await api.post("/v1/ask", json: ["text": "how do I get my money back for the yearly plan", "conversation_id": "T-1"])
        XCTAssertEqual(asked.status, 200, asked.text)
        let corrected = try await api.post("/v1/outcomes", json: ["impression_id": asked.json["impression_id"] as Any, "outcome": "corrected",
                                                                  "article_id": "refund-policy", "event_id": "evt-1"])
        XCTAssertEqual(corrected.status, 200, corrected.text)
        let list = try await api.send(.get, "/v1/learned")
        XCTAssertEqual(list.status, 200, list.text)
        let items = try XCTUnwrap(list.json["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 1, list.text)
        let item = try XCTUnwrap(items.first)
        XCTAssertEqual((item["evidence"] as? [String: Any])?["impression_id"] as? String, asked.json["impression_id"] as? String)
        return item
    }

    func testTheListShowsEachItemWithItsEvidenceAndUndoTakesItBack() async throws {
        try await withAPI { _, api in
            let item = try await Self.learnAnAlias(api)
            XCTAssertEqual(item["kind"] as? String, "alias")
            XCTAssertEqual(item["origin"] as? String, "corrected")
            XCTAssertEqual(item["status"] as? String, "active")
            XCTAssertEqual(item["question"] as? String, "how do I get my money back for the yearly plan")
            XCTAssertEqual((item["article"] as? [String: Any])?["id"] as? String, "refund-policy")
            let evidence = try XCTUnwrap(item["evidence"] as? [String: Any])
            XCTAssertEqual(evidence["event_id"] as? String, "evt-1")
            XCTAssertEqual(evidence["outcome"] as? String, "corrected")
            XCTAssertEqual(evidence["source"] as? String, "api")
            XCTAssertNotNil(evidence["received_at"] as? String)
            XCTAssertNotNil(item["created_at"] as? String)

            let articlesOnly = try await api.send(.get, "/v1/learned?kind=article")
            XCTAssertEqual((articlesOnly.json["items"] as? [Any])?.count, 0, articlesOnly.text)
            let later = try await api.send(.get, "/v1/learned?since=2999-01-01")
            XCTAssertEqual((later.json["items"] as? [Any])?.count, 0, later.text)
            let earlier = try await api.send(.get, "/v1/learned?since=2020-01-01T00:00:00Z&limit=1")
            XCTAssertEqual((earlier.json["items"] as? [Any])?.count, 1, earlier.text)
            for bad in ["kind=aliases", "since=yesterday", "limit=0", "limit=1001"] {
                let refused = try await api.send(.get, "/v1/learned?\(bad)")
                XCTAssertEqual(refused.status, 400, "\(bad): \(refused.text)")
                XCTAssertEqual(refused.errorCode, "invalid_request", bad)
            }

            let id = try XCTUnwrap(item["id"] as? String)
            let undone = try await api.send(.delete, "/v1/learned/\(id)")
            XCTAssertEqual(undone.status, 200, undone.text)
            XCTAssertEqual(undone.json["status"] as? String, "undone")
            let again = try await api.send(.delete, "/v1/learned/\(id)")
            XCTAssertEqual(again.status, 409, again.text)
            XCTAssertEqual(again.errorCode, "already_undone")
            let unknown = try await api.send(.delete, "/v1/learned/alias-999999")
            XCTAssertEqual(unknown.status, 404, unknown.text)
            XCTAssertEqual(unknown.errorCode, "unknown_learned_item")
            let nonsense = try await api.send(.delete, "/v1/learned/banana")
            XCTAssertEqual(nonsense.status, 404, nonsense.text)
            let noToken = try await api.send(.delete, "/v1/learned/\(id)", token: nil)
            XCTAssertEqual(noToken.status, 401, "undo needs the token like the rest of the API")
        }
    }

    func testArticlesAreEditedArchivedAndPublishedOverHTTP() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            let patched = try await api.send(.patch, "/v1/articles/export-data", body: #"{"title": "Export data as CSV files", "tags": ["topic:data"]}"#)
            XCTAssertEqual(patched.status, 200, patched.text)
            XCTAssertEqual(patched.json["version"] as? Int, 2)
            XCTAssertEqual(patched.json["title"] as? String, "Export data as CSV files")
            XCTAssertEqual(patched.json["tags"] as? [String], ["topic:data"])
            XCTAssertTrue((patched.json["body"] as? String)?.hasPrefix("Go to Reports") == true, "the body stays")
            let internalStatus = try await api.send(.patch, "/v1/articles/export-data", body: #"{"status": "internal"}"#)
            XCTAssertEqual(internalStatus.status, 400, internalStatus.text)
            let badStatus = try await api.send(.patch, "/v1/articles/export-data", body: #"{"status": "gone"}"#)
            XCTAssertEqual(badStatus.status, 400, badStatus.text)
            let missing = try await api.send(.patch, "/v1/articles/nope", body: #"{"title": "x"}"#)
            XCTAssertEqual(missing.status, 404, missing.text)

            let archived = try await api.send(.post, "/v1/articles/export-data/archive")
            XCTAssertEqual(archived.status, 200, archived.text)
            XCTAssertEqual(archived.json["status"] as? String, "archived")
            let listed = try await api.send(.get, "/v1/articles?status=archived")
            XCTAssertEqual((listed.json["articles"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["export-data"], listed.text)
            let asked = try await api.post("/v1/ask", json: ["text": "Export your data as CSV"])
            XCTAssertFalse(((asked.json["sources"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "export-data" },
                           "an archived article is never cited: \(asked.text)")
            let published = try await api.send(.post, "/v1/articles/export-data/publish")
            XCTAssertEqual(published.json["status"] as? String, "published", published.text)
            let drafts = try await api.send(.get, "/v1/articles?status=draft")
            XCTAssertEqual((drafts.json["articles"] as? [Any])?.count, 0, drafts.text)
            let bogus = try await api.send(.get, "/v1/articles?status=bogus")
            XCTAssertEqual(bogus.status, 400, bogus.text)
        }
    }

    func testTheDashboardsUndoFormNeedsTheSessionsCSRFTokenAndItsOwnOrigin() async throws {
        try await withAPI { _, api in
            let item = try await Self.learnAnAlias(api)
            let id = try XCTUnwrap(item["id"] as? String)
            let sessionCookie = try await DashboardSessionTests.login(api)
            let cookie = sessionCookie.split(separator: ";")[0]
            let page = try await api.send(.get, "/dashboard/learned", token: nil, headers: [.cookie: String(cookie)])
            XCTAssertEqual(page.status, 200, page.text)
            XCTAssertTrue(page.text.contains("how do I get my money back for the yearly plan"), "the learned question is listed")
            XCTAssertTrue(page.text.contains("action=\"/dashboard/learned/undo\""), "an undo button")
            let csrf = try XCTUnwrap(DashboardSessionTests.hiddenField("csrf", in: page.text))
            let form: HTTPFields = [.cookie: String(cookie), .contentType: "application/x-www-form-urlencoded"]

            let forged = try await api.send(.post, "/dashboard/learned/undo", body: "id=\(id)&csrf=0000", token: nil, headers: form)
            XCTAssertEqual(forged.status, 403, forged.text)
            XCTAssertEqual(forged.errorCode, "csrf_mismatch")
            var foreign = form
            foreign[.origin] = "https://evil.example"
            let crossSite = try await api.send(.post, "/dashboard/learned/undo", body: "id=\(id)&csrf=\(csrf)", token: nil, headers: foreign)
            XCTAssertEqual(crossSite.status, 403, crossSite.text)
            XCTAssertEqual(crossSite.errorCode, "cross_origin")
            let still = try await api.send(.get, "/v1/learned")
            XCTAssertEqual((still.json["items"] as? [[String: Any]])?.first?["status"] as? String, "active", "refused posts change nothing")

            let undone = try await api.send(.post, "/dashboard/learned/undo", body: "id=\(id)&csrf=\(csrf)", token: nil, headers: form)
            XCTAssertEqual(undone.status, 303, undone.text)
            XCTAssertEqual(undone.headers[.location], "/dashboard/learned")
            let after = try await api.send(.get, "/v1/learned")
            XCTAssertEqual((after.json["items"] as? [[String: Any]])?.first?["status"] as? String, "undone", after.text)
        }
    }

    func testWithoutATokenTheUndoFormNeedsThePagesCookie() async throws {
        try await withAPI(token: nil) { _, api in
            let item = try await Self.learnAnAlias(api)
            let id = try XCTUnwrap(item["id"] as? String)
            let page = try await api.send(.get, "/dashboard/learned", token: nil)
            XCTAssertEqual(page.status, 200, page.text)
            let setCookie = try XCTUnwrap(DashboardSessionTests.setCookie(DashboardForms.cookie, in: page))
            XCTAssertTrue(setCookie.contains("SameSite=Strict") && setCookie.contains("HttpOnly"), setCookie)
            let value = DashboardSessionTests.value(of: setCookie)
            XCTAssertEqual(DashboardSessionTests.hiddenField("csrf", in: page.text), value)
            let noCookie = try await api.send(.post, "/dashboard/learned/undo", body: "id=\(id)&csrf=\(value)", token: nil,
                                              headers: [.contentType: "application/x-www-form-urlencoded"])
            XCTAssertEqual(noCookie.status, 403, "a cross-site post carries no SameSite=Strict cookie: \(noCookie.text)")
            let posted = try await api.send(.post, "/dashboard/learned/undo", body: "id=\(id)&csrf=\(value)", token: nil,
                                            headers: [.contentType: "application/x-www-form-urlencoded",
                                                      .cookie: "\(DashboardForms.cookie)=\(value)"])
            XCTAssertEqual(posted.status, 303, posted.text)
        }
    }
}

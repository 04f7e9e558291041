import Foundation
import XCTest

/// `POST /v1/articles` (JSON, array, JSON Lines), `GET /v1/articles`, `GET /v1/articles/{id}`.
final class ArticlesTests: XCTestCase {
    static func jsonl(_ articles: [[String: Any]]) throws -> String {
        try articles.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    func testJSONLinesImportAndReimportUpdatesOnlyWhatChanged() async throws {
        try await withAPI { _, api in
            let body = try Self.jsonl(APISamples.articles)
            let first = try await api.send(.post, "/v1/articles", body: body, headers: [.contentType: "application/x-ndjson"])
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(first.json["received"] as? Int, 3)
            XCTAssertEqual(first.json["created"] as? Int, 3)

            // The same lines again, sent as application/json: told apart from one document by their shape.
            let again = try await api.send(.post, "/v1/articles", body: body)
            XCTAssertEqual(again.json["unchanged"] as? Int, 3, again.text)
            XCTAssertEqual(again.json["created"] as? Int, 0)
            XCTAssertEqual(again.json["updated"] as? Int, 0)

            var changed = APISamples.articles
            changed[1]["body"] = "Annual plans are refunded in full within 60 days of purchase."
            let third = try await api.send(.post, "/v1/articles", body: try Self.jsonl(changed), headers: [.contentType: "application/x-ndjson"])
            XCTAssertEqual(third.json["updated"] as? Int, 1, third.text)
            XCTAssertEqual(third.json["unchanged"] as? Int, 2)

            let shown = try await api.send(.get, "/v1/articles/refund-policy")
            XCTAssertEqual(shown.status, 200, shown.text)
            XCTAssertEqual(shown.json["version"] as? Int, 2)
            XCTAssertTrue((shown.json["body"] as? String ?? "").contains("60 days"))
            let versions = try XCTUnwrap(shown.json["versions"] as? [[String: Any]])
            XCTAssertEqual(versions.map { $0["version"] as? Int }, [1, 2])
            XCTAssertTrue((versions.first?["body"] as? String ?? "").contains("30 days"))
            XCTAssertNotNil(shown.json["updated_at"] as? String)
        }
    }

    func testOneObjectAnArrayAndBadArticles() async throws {
        try await withAPI { _, api in
            let one = try await api.post("/v1/articles", json: APISamples.articles[0])
            XCTAssertEqual(one.json["created"] as? Int, 1, one.text)
            let array = try await api.post("/v1/articles", json: Array(APISamples.articles[1...]))
            XCTAssertEqual(array.json["created"] as? Int, 2, array.text)

            let untitled = try await api.post("/v1/articles", json: ["id": "x", "title": " ", "body": "b"])
            XCTAssertEqual(untitled.status, 400, untitled.text)
            XCTAssertEqual(untitled.errorCode, "invalid_article")
            XCTAssertTrue(untitled.errorMessage.contains("title"), untitled.errorMessage)
            let badLine = try await api.send(.post, "/v1/articles", body: "{\"id\":\"a\",\"title\":\"A\",\"body\":\"b\"}\n{\"id\": \n",
                                             headers: [.contentType: "application/x-ndjson"])
            XCTAssertEqual(badLine.status, 400, badLine.text)
            XCTAssertTrue(badLine.errorMessage.contains("line 2"), badLine.errorMessage)
        }
    }

    func testListingPagesAndUnknownArticle() async throws {
        try await withAPI { _, api in
            try await api.importSampleArticles()
            let page = try await api.send(.get, "/v1/articles?limit=2")
            XCTAssertEqual(page.status, 200, page.text)
            let articles = try XCTUnwrap(page.json["articles"] as? [[String: Any]])
            XCTAssertEqual(articles.map { $0["id"] as? String }, ["reset-password", "refund-policy"])
            XCTAssertNil(articles.first?["body"], "listings leave bodies out")
            XCTAssertEqual(page.json["total"] as? Int, 3)
            XCTAssertEqual(page.json["next_offset"] as? Int, 2)
            let last = try await api.send(.get, "/v1/articles?limit=2&offset=2")
            XCTAssertEqual((last.json["articles"] as? [[String: Any]])?.count, 1)
            XCTAssertTrue(last.json["next_offset"] is NSNull)
            let bad = try await api.send(.get, "/v1/articles?limit=0")
            XCTAssertEqual(bad.status, 400)
            XCTAssertTrue(bad.errorMessage.contains("limit"), bad.errorMessage)
            let missing = try await api.send(.get, "/v1/articles/no-such-article")
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.errorCode, "unknown_article")
        }
    }
}

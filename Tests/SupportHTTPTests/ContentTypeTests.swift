import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest

/// A body is parsed only when it comes with the content type its route documents: what a
/// browser can post from any page (`text/plain`, a form) is 415, naming the expected type.
final class ContentTypeTests: XCTestCase {
    func testJSONRoutesRefuseFormsAndPlainText() async throws {
        try await withAPI { harness, api in
            let question = #"{"text": "How do I reset my password?"}"#
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/csv"] {
                for path in ["/v1/ask", "/v1/outcomes", "/v1/events"] {
                    let reply = try await api.send(.post, path, body: question, headers: [.contentType: type])
                    XCTAssertEqual(reply.status, 415, "\(path) as \(type): \(reply.text)")
                    XCTAssertEqual(reply.errorCode, "unsupported_media_type")
                    XCTAssertTrue(reply.errorMessage.contains("application/json"), reply.errorMessage)
                    XCTAssertTrue(reply.errorMessage.contains(type.split(separator: ";")[0]), reply.errorMessage)
                }
            }
            // No Content-Type at all is not JSON either.
            let bare = try await api.client.executeRequest(uri: "/v1/ask", method: .post,
                                                           headers: [.authorization: "Bearer \(APIHarness.token)"],
                                                           body: ByteBuffer(string: question))
            XCTAssertEqual(bare.status.code, 415)

            let plainArticles = try await api.send(.post, "/v1/articles", body: #"{"id":"a","title":"A","body":"b"}"#,
                                                   headers: [.contentType: "text/plain"])
            XCTAssertEqual(plainArticles.status, 415)
            XCTAssertTrue(plainArticles.errorMessage.contains("application/x-ndjson"), plainArticles.errorMessage)
            XCTAssertTrue(plainArticles.errorMessage.contains("text/csv"), plainArticles.errorMessage)
            XCTAssertEqual(try harness.service.store.articleCount(), 0, "nothing was imported")

            let csvAsJSON = try await api.send(.post, "/v1/import/tickets?format=csv", body: "id,subject,question,status\n",
                                               headers: [.contentType: "application/json"])
            XCTAssertEqual(csvAsJSON.status, 415)
            XCTAssertTrue(csvAsJSON.errorMessage.contains("text/csv"), csvAsJSON.errorMessage)
            let zendeskAsForm = try await api.send(.post, "/v1/import/tickets?format=zendesk", body: "tickets=1",
                                                   headers: [.contentType: "application/x-www-form-urlencoded"])
            XCTAssertEqual(zendeskAsForm.status, 415)

            let reindexForm = try await api.send(.post, "/v1/reindex", body: "x=1", headers: [.contentType: "text/plain"])
            XCTAssertEqual(reindexForm.status, 415)

            // The documented types, with parameters, still work.
            try await api.importSampleArticles()
            let ask = try await api.send(.post, "/v1/ask", body: question, headers: [.contentType: "Application/JSON; charset=utf-8"])
            XCTAssertEqual(ask.status, 200, ask.text)
            let reindex = try await api.send(.post, "/v1/reindex")
            XCTAssertEqual(reindex.status, 200, reindex.text)
        }
    }
}

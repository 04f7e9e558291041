import Foundation
import SupportHTTP
import XCTest

/// `POST /v1/import/tickets` reads the export as it arrives: a bad record is answered before
/// the body is over, a record or a body over its cap is 413, a large export in small pieces imports whole.
final class TicketImportStreamingTests: XCTestCase {
    private static let headers = "Authorization: Bearer \(APIHarness.token)\r\nContent-Type: application/json\r\n"

    private static func zendeskTicket(_ id: Int, reply: String = "Open Settings, then Security.") -> String {
        #"{"id": \#(id), "subject": "Question \#(id)", "status": "solved", "requester_id": 1, "comments": ["#
            + #"{"author_id": 1, "public": true, "plain_body": "How do I change setting \#(id)?"}, "#
            + #"{"author_id": 2, "public": true, "plain_body": "\#(reply) (\#(id))"}]}"#
    }

    func testABadRecordIsAnsweredBeforeTheBodyIsOver() async throws {
        try await withLiveAPI { _, port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send("POST /v1/import/tickets?format=zendesk HTTP/1.1\r\nHost: localhost\r\n\(Self.headers)"
                + "Content-Length: 1000000\r\n\r\n" + #"{"tickets": ["# + Self.zendeskTicket(1) + ", 7, ")
            // 999 kB are still to come: a server that collects the body first would say nothing yet.
            let reply = try connection.readReply(timeout: 5)
            XCTAssertEqual(reply.status, 400, reply.text)
            XCTAssertEqual(reply.errorMessage, "zendesk export, ticket 2: expected an object, found a number")
            let after = try RawHTTPConnection(port: port)
            XCTAssertEqual(try after.exchange("GET", "/v1/health").status, 200)
        }
    }

    func testARecordOrABodyOverItsCapIs413() async throws {
        try await withLiveAPI({ $0.maxTicketRecordBytes = 1024; $0.maxTicketImportBytes = 8192 }) { harness, port in
            let connection = try RawHTTPConnection(port: port)
            let huge = Self.zendeskTicket(1, reply: String(repeating: "long ", count: 400))
            let big = try connection.exchange("POST", "/v1/import/tickets?format=zendesk",
                                              headers: ["Authorization": "Bearer \(APIHarness.token)", "Content-Type": "application/json"],
                                              body: #"{"tickets": ["# + huge + "]}")
            XCTAssertEqual(big.status, 413, big.text)
            XCTAssertEqual(big.errorCode, "payload_too_large")
            XCTAssertTrue(big.errorMessage.contains("ticket 1"), big.errorMessage)

            // Chunked, so no Content-Length announces it: the cap is counted as bytes arrive.
            let chunked = try RawHTTPConnection(port: port)
            try chunked.send("POST /v1/import/tickets?format=zendesk HTTP/1.1\r\nHost: localhost\r\n\(Self.headers)"
                + "Transfer-Encoding: chunked\r\n\r\n")
            var body = #"{"tickets": ["# + (1...60).map { Self.zendeskTicket($0) }.joined(separator: ", ") + "]}"
            var reply: RawHTTPConnection.Reply?
            while !body.isEmpty, reply == nil {
                let piece = String(body.prefix(1000))
                body = String(body.dropFirst(1000))
                do {
                    try chunked.send(String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n")
                } catch {
                    break   // the server answered and closed
                }
            }
            try? chunked.send("0\r\n\r\n")
            reply = try chunked.readReply(timeout: 5)
            XCTAssertEqual(reply?.status, 413, reply?.text ?? "")
            XCTAssertEqual(try harness.service.store.articleCount(), 0, "nothing of a refused export is written")
        }
    }

    func testALargeExportSentInSmallPiecesImportsWhole() async throws {
        try await withLiveAPI { harness, port in
            let tickets = (1...300).map { Self.zendeskTicket($0) }
            let body = "{\"count\": 300, \"next_page\": null, \"tickets\": [" + tickets.joined(separator: ",\n") + "], \"meta\": {\"x\": [1, {\"y\": \"]\"}]}}"
            let connection = try RawHTTPConnection(port: port)
            try connection.send("POST /v1/import/tickets?format=zendesk HTTP/1.1\r\nHost: localhost\r\n\(Self.headers)"
                + "Content-Length: \(body.utf8.count)\r\n\r\n")
            let bytes = Array(body.utf8)
            for start in stride(from: 0, to: bytes.count, by: 777) {
                try connection.send(String(decoding: bytes[start..<min(start + 777, bytes.count)], as: UTF8.self))
            }
            let reply = try connection.readReply(timeout: 120)
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssertEqual(reply.json["tickets"] as? Int, 300)
            XCTAssertEqual(reply.json["articles_created"] as? Int, 300)
            XCTAssertEqual(try harness.service.store.articleCount(), 300)
        }
    }
}

import Foundation
import Support
@testable import SupportHTTP
import XCTest

/// Without a token, only local programs are served: a loopback `Host`, no foreign `Origin`
/// (DNS rebinding and cross-site pages get 403), over real sockets.
final class LoopbackOnlyTests: XCTestCase {
    func testWithoutATokenOnlyLoopbackHostsAreServed() async throws {
        try await withLiveAPI(token: nil) { _, port in
            let connection = try RawHTTPConnection(port: port)
            for host in ["localhost", "localhost:\(port)", "LOCALHOST", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:\(port)"] {
                let reply = try connection.exchange("GET", "/v1/articles", host: host)
                XCTAssertEqual(reply.status, 200, "Host: \(host): \(reply.text)")
            }
            for host in ["evil.example", "evil.example:\(port)", "localhost.evil.example", "127.0.0.1.nip.io", "127.0.0.2",
                         "[::2]", "localhost:", "localhost:80x", "[::1", "0.0.0.0"] {
                let reply = try connection.exchange("GET", "/v1/articles", host: host)
                XCTAssertEqual(reply.status, 403, "Host: \(host)")
                XCTAssertEqual(reply.errorCode, "forbidden_host", "Host: \(host)")
                XCTAssertTrue(reply.errorMessage.contains("\"\(host)\""), reply.errorMessage)
                XCTAssertTrue(reply.errorMessage.contains("--token"), reply.errorMessage)
            }
            // A rebinding page's question never reaches the service.
            let ask = try connection.exchange("POST", "/v1/ask", host: "evil.example",
                                              headers: ["Content-Type": "application/json"], body: #"{"text": "reset my password"}"#)
            XCTAssertEqual(ask.status, 403)
            let health = try connection.exchange("GET", "/v1/health", host: "localhost")
            XCTAssertEqual(health.status, 200, "still serving: \(health.text)")
        }
    }

    func testWithoutATokenAForeignOriginIsRefused() async throws {
        try await withLiveAPI(token: nil) { harness, port in
            let connection = try RawHTTPConnection(port: port)
            for origin in ["https://evil.example", "http://evil.example:\(port)", "null", "http://localhost.evil.example",
                           "file://", "http://127.0.0.1:\(port)/path"] {
                let reply = try connection.exchange("POST", "/v1/ask", headers: ["Origin": origin, "Content-Type": "application/json"],
                                                    body: #"{"text": "reset my password"}"#)
                XCTAssertEqual(reply.status, 403, "Origin: \(origin)")
                XCTAssertEqual(reply.errorCode, "forbidden_origin", "Origin: \(origin)")
                XCTAssertTrue(reply.errorMessage.contains(origin), reply.errorMessage)
            }
            for site in ["cross-site", "same-site"] {
                let reply = try connection.exchange("GET", "/v1/articles", headers: ["Sec-Fetch-Site": site])
                XCTAssertEqual(reply.status, 403, site)
                XCTAssertEqual(reply.errorCode, "forbidden_origin")
            }
            let deleted = try connection.exchange("POST", "/v1/reindex", headers: ["Origin": "https://evil.example"])
            XCTAssertEqual(deleted.status, 403)
            XCTAssertEqual(try harness.service.store.articleCount(), 0)
            // The dashboard's own origin, and local tools that send none, are served.
            for origin in ["http://localhost:\(port)", "http://127.0.0.1:\(port)", "http://[::1]:\(port)"] {
                let reply = try connection.exchange("GET", "/v1/articles", headers: ["Origin": origin, "Sec-Fetch-Site": "same-origin"])
                XCTAssertEqual(reply.status, 200, "Origin: \(origin): \(reply.text)")
            }
            let ask = try connection.exchange("POST", "/v1/ask", headers: ["Content-Type": "application/json"],
                                              body: #"{"text": "reset my password"}"#)
            XCTAssertNotEqual(ask.status, 403, ask.text)
        }
    }

    func testWithATokenAnyHostMayCarryIt() async throws {
        try await withLiveAPI { _, port in
            let connection = try RawHTTPConnection(port: port)
            let proxied = try connection.exchange("GET", "/v1/articles", host: "support.example.com",
                                                  headers: ["Authorization": "Bearer \(APIHarness.token)"])
            XCTAssertEqual(proxied.status, 200, proxied.text)
            let anonymous = try connection.exchange("GET", "/v1/articles", host: "support.example.com")
            XCTAssertEqual(anonymous.status, 401)
        }
    }

    func testLoopbackNames() {
        for authority in ["localhost", "localhost:1", "127.0.0.1:65535", "[::1]", "[::1]:80", "LocalHost"] {
            XCTAssertTrue(LoopbackHost.isLoopback(authority: authority), authority)
        }
        for authority in ["", ":80", "localhost:123456", "localhost:-1", "[::1]x", "::1", "example.com", "localhost@evil"] {
            XCTAssertFalse(LoopbackHost.isLoopback(authority: authority), authority)
        }
        XCTAssertTrue(LoopbackOnlyMiddleware<LoopdeskRequestContext>.isLoopbackOrigin("http://localhost:8080"))
        XCTAssertFalse(LoopbackOnlyMiddleware<LoopdeskRequestContext>.isLoopbackOrigin("http://localhost:8080@evil.example"))
    }
}

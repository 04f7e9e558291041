import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LoopdeskTestSupport
import Support
import XCTest

/// The one HTTP client of webhooks, helpdesk write-backs, issue trackers and the CLI: sends a
/// request as built, never follows a redirect, keeps at most its body cap of an answer, and fails
/// (rather than hangs) on a hang-up or a receiver that never answers.
final class HTTPTransportTests: XCTestCase {
    func testSendsTheRequestAsBuiltAndReturnsTheAnswer() async throws {
        let server = try FakeHTTPServer { _ in
            .respond(.init(status: 201, headers: [("X-Request-Id", "r-7"), ("Content-Type", "application/json")], body: Data(#"{"ok":true}"#.utf8)))
        }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: 10)
        var request = URLRequest(url: server.url(path: "/api/v2/tickets/42.json?x=1"))
        request.httpMethod = "PUT"
        request.setValue("Basic dXNlcjpwYXNz", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"ticket":{"comment":{"body":"hi","public":true}}}"#.utf8)
        let (response, body) = try await transport.send(request)
        await transport.shutdown()

        XCTAssertEqual(response.statusCode, 201)
        XCTAssertEqual(response.value(forHTTPHeaderField: "X-Request-Id"), "r-7")
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"ok":true}"#)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(received.method, "PUT")
        XCTAssertEqual(received.path, "/api/v2/tickets/42.json?x=1")
        XCTAssertEqual(received.headers["authorization"], "Basic dXNlcjpwYXNz")
        XCTAssertEqual(received.headers["content-type"], "application/json")
        XCTAssertEqual(received.body, request.httpBody)
    }

    func testARedirectIsTheAnswerNotAnInstruction() async throws {
        let target = try FakeHTTPServer { _ in .respond(.init(status: 200)) }
        defer { target.stop() }
        let server = try FakeHTTPServer { _ in .respond(.init(status: 302, headers: [("Location", target.url(path: "/elsewhere").absoluteString)])) }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: 10)
        var request = URLRequest(url: server.url(path: "/hook"))
        request.httpMethod = "POST"
        request.httpBody = Data("secret payload".utf8)
        let (response, _) = try await transport.send(request)
        await transport.shutdown()

        XCTAssertEqual(response.statusCode, 302)
        XCTAssertEqual(response.value(forHTTPHeaderField: "Location"), target.url(path: "/elsewhere").absoluteString)
        XCTAssertTrue(target.requests.isEmpty, "the body was not sent to the redirect's target")
    }

    func testAnAnswerPastTheCapIsCutNotFailed() async throws {
        let big = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let server = try FakeHTTPServer { _ in .respond(.init(status: 200, body: big)) }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: 10, maxBodyBytes: 1000)
        let (response, body) = try await transport.send(URLRequest(url: server.url(path: "/big")))
        await transport.shutdown()

        XCTAssertEqual(response.statusCode, 200)
        XCTAssertEqual(body, big.prefix(1000), "the first 1000 bytes, exactly")
    }

    func testAHangUpIsAFailureNamingTheHost() async throws {
        let server = try FakeHTTPServer { _ in .hangUp }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: 10)
        do {
            _ = try await transport.send(URLRequest(url: server.url(path: "/gone?token=do-not-log")))
            XCTFail("a connection closed without an answer is not a response")
        } catch let failure as HTTPTransport.Failure {
            XCTAssertTrue(failure.description.hasPrefix("127.0.0.1: "), failure.description)
            XCTAssertFalse(failure.description.contains("do-not-log"), "the URL's query stays out of the error: \(failure.description)")
        }
        await transport.shutdown()
    }

    func testARefusedConnectionFailsAtOnce() async throws {
        let server = try FakeHTTPServer { _ in .respond(.init(status: 200)) }
        let url = server.url(path: "/nobody")
        server.stop()   // the port is closed now: connecting is refused
        let transport = HTTPTransport(timeout: 60)
        let started = Date()
        do {
            _ = try await transport.send(URLRequest(url: url))
            XCTFail("nothing listens there")
        } catch let failure as HTTPTransport.Failure {
            XCTAssertTrue(failure.description.hasPrefix("127.0.0.1: "), failure.description)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "not retried until the 60 s timeout")
        await transport.shutdown()
    }

    func testAReceiverThatNeverAnswersTimesOut() async throws {
        try await assertTimesOut(HTTPTransport(timeout: 0.5), URLRequest(url: URL(string: "http://placeholder/slow")!))
    }

    func testARequestsOwnShorterTimeoutApplies() async throws {
        var request = URLRequest(url: URL(string: "http://placeholder/slow")!)
        request.timeoutInterval = 0.5
        try await assertTimesOut(HTTPTransport(timeout: 60), request)
    }

    /// `request` (its path, sent to a receiver that answers after 3 s) fails as timed out, long before the answer.
    private func assertTimesOut(_ transport: HTTPTransport, _ request: URLRequest, line: UInt = #line) async throws {
        let server = try FakeHTTPServer { _ in
            Thread.sleep(forTimeInterval: 3)
            return .respond(.init(status: 200))
        }
        defer { server.stop() }
        var request = request
        request.url = server.url(path: request.url?.path ?? "/")
        let started = Date()
        do {
            _ = try await transport.send(request)
            XCTFail("an answer after 3 s is past a 0.5 s timeout", line: line)
        } catch let failure as HTTPTransport.Failure {
            XCTAssertTrue(failure.description.contains("timed out"), failure.description, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5, "failed at the timeout, not when the answer came", line: line)
        await transport.shutdown()
    }
}

import Foundation
import SupportHTTP
import XCTest

/// Slow and idle clients, over real sockets: a connection that does not send a whole request
/// in time is closed, and the connection cap makes room for a prompt client by closing the
/// idle and the slow ones first.
final class ConnectionLimitsTests: XCTestCase {
    func testAConnectionThatSendsNoWholeRequestIsClosedAfterTheIdleTimeout() async throws {
        try await withLiveAPI({ $0.idleTimeout = .milliseconds(500) }) { _, port in
            let silent = try RawHTTPConnection(port: port)
            let trickling = try RawHTTPConnection(port: port)
            try trickling.send("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n")   // a head never finished
            let stalledBody = try RawHTTPConnection(port: port)
            try stalledBody.send("POST /v1/ask HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(APIHarness.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\": ")
            let keptAlive = try RawHTTPConnection(port: port)
            XCTAssertEqual(try keptAlive.exchange("GET", "/v1/health").status, 200)

            for (name, connection) in [("silent", silent), ("trickling head", trickling), ("stalled body", stalledBody),
                                       ("idle keep-alive", keptAlive)] {
                XCTAssertTrue(try connection.closedByServer(within: 5), "\(name) connection is still open")
            }
            // A prompt client is served all along.
            let prompt = try RawHTTPConnection(port: port)
            XCTAssertEqual(try prompt.exchange("GET", "/v1/health").status, 200)
        }
    }

    func testALongRequestThatKeepsSendingIsNotCutOff() async throws {
        try await withLiveAPI({ $0.idleTimeout = .milliseconds(600) }) { _, port in
            let connection = try RawHTTPConnection(port: port)
            let body = #"{"text": "How do I reset my password, please?"}"#
            try connection.send("POST /v1/ask HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(APIHarness.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            // Parts 0.3 s apart: 2.4 s in all, four times the timeout, never 0.6 s without progress.
            let parts = stride(from: 0, to: body.count, by: 6).map { String(body.dropFirst($0).prefix(6)) }
            for part in parts {
                try await Task.sleep(nanoseconds: 300_000_000)
                try connection.send(part)
            }
            let reply = try connection.readReply()
            XCTAssertNotEqual(reply.status, 0)
            XCTAssertTrue([200, 503].contains(reply.status), "\(reply.status) \(reply.text)")
        }
    }

    func testTheCapClosesIdleAndSlowConnectionsFirstAndNeverLocksOutAPromptClient() async throws {
        try await withLiveAPI({ $0.maxConnections = 4; $0.idleTimeout = .seconds(30) }) { _, port in
            // Fill the cap with strangers: two that send nothing, two that trickle a head.
            var strangers: [RawHTTPConnection] = []
            for index in 0..<4 {
                let connection = try RawHTTPConnection(port: port)
                if index >= 2 { try connection.send("GET /v1/health HTTP/1.1\r\n") }
                strangers.append(connection)
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            // Prompt clients keep being served, each closing a stranger (the longest-waiting first),
            // and they stay connected, so the cap stays full.
            var prompts: [RawHTTPConnection] = []
            for round in 0..<4 {
                let prompt = try RawHTTPConnection(port: port)
                let reply = try prompt.exchange("GET", "/v1/health")
                XCTAssertEqual(reply.status, 200, "round \(round)")
                XCTAssertTrue(try strangers[round].closedByServer(within: 2), "stranger \(round) was not closed to make room")
                prompts.append(prompt)
            }
            // Even with the cap full of fresh strangers (who pushed the idle prompt clients out), one more gets in.
            var more: [RawHTTPConnection] = []
            for _ in 0..<6 { more.append(try RawHTTPConnection(port: port)) }
            let late = try RawHTTPConnection(port: port)
            XCTAssertEqual(try late.exchange("GET", "/v1/health").status, 200)
            var open = 0
            for connection in more where !(try connection.closedByServer(within: 0.3)) { open += 1 }
            XCTAssertLessThanOrEqual(open, 3, "the cap holds: the late client and at most three strangers")
            XCTAssertTrue(try prompts[0].closedByServer(within: 1), "the idle keep-alive of the first prompt client made room")
        }
    }
}

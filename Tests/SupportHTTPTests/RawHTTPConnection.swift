#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SupportHTTP
import XCTest

/// A plain TCP connection to a live test server, for what an HTTP client library would hide:
/// exact `Host` and `Origin` headers, a request sent half, a connection left idle, the server
/// closing on us.
final class RawHTTPConnection {
    /// A parsed response.
    struct Reply {
        var status: Int
        /// Header names lower case; a repeated header's values joined by "\n".
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
    }

    private let fd: Int32
    private var pending = [UInt8]()

    /// Connects to `localhost:port` (whichever address the server bound).
    init(port: Int) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo("localhost", String(port), &hints, &list) == 0, let first = list else { throw POSIXError(.EHOSTUNREACH) }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            let socketFD = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if socketFD >= 0, connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                fd = socketFD
                return
            }
            if socketFD >= 0 { Glibc.close(socketFD) }
            cursor = info.pointee.ai_next
        }
        throw POSIXError(.ECONNREFUSED)
    }

    deinit { Glibc.close(fd) }

    /// Sends bytes as they are.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            offset += n
        }
    }

    /// A whole request: `method path`, `Host`, the given headers, and the body with its length.
    func request(_ method: String, _ path: String, host: String? = "localhost", headers: [String: String] = [:],
                 body: String? = nil) throws {
        var lines = ["\(method) \(path) HTTP/1.1"]
        if let host { lines.append("Host: \(host)") }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { lines.append("\(name): \(value)") }
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        try send(lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? ""))
    }

    /// Sends a request and reads its response.
    func exchange(_ method: String, _ path: String, host: String? = "localhost", headers: [String: String] = [:],
                  body: String? = nil, timeout: Double = 10) throws -> Reply {
        try request(method, path, host: host, headers: headers, body: body)
        return try readReply(timeout: timeout)
    }

    /// Reads one response (by `Content-Length`).
    /// - Throws: `ETIMEDOUT` when it does not arrive in time, `ECONNRESET` when the server closes first.
    func readReply(timeout: Double = 10) throws -> Reply {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = Self.find(Array("\r\n\r\n".utf8), in: pending) {
                let head = String(decoding: pending[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    headers[name] = headers[name].map { $0 + "\n" + value } ?? value
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if pending.count >= end + 4 + length {
                    let status = Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0
                    let body = Data(pending[(end + 4)..<(end + 4 + length)])
                    pending.removeFirst(end + 4 + length)
                    return Reply(status: status, headers: headers, body: body)
                }
            }
            guard try fill(until: deadline) else { throw POSIXError(.ECONNRESET) }
        }
    }

    /// Whether the server closes the connection within `seconds` (reading and dropping anything it sends).
    func closedByServer(within seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        do {
            while try fill(until: deadline) {}
            return true
        } catch let error as POSIXError where error.code == .ETIMEDOUT {
            return false
        }
    }

    /// Reads what is there; false when the server closed (or reset) the connection.
    /// - Throws: `ETIMEDOUT` at the deadline.
    private func fill(until deadline: Date) throws -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { throw POSIXError(.ETIMEDOUT) }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(1, left * 1000)))
        guard ready > 0 else { throw POSIXError(.ETIMEDOUT) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        pending += chunk[0..<n]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// Runs `body` against a live server (real sockets) of a fresh harness's service, built with `configure`d settings.
func withLiveAPI(token: String? = APIHarness.token, _ configure: (inout LoopdeskHTTPConfiguration) -> Void = { _ in },
                 _ body: @Sendable (APIHarness, Int) async throws -> Void) async throws {
    let harness = try await APIHarness(token: token)
    var configuration = LoopdeskHTTPConfiguration(token: token)
    configure(&configuration)
    var logger = Logger(label: "test.live")
    logger.logLevel = .critical
    let app = LoopdeskHTTPServer.buildApplication(service: harness.service, configuration: configuration, logger: logger)
    do {
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            try await body(harness, port)
        }
    } catch {
        await harness.close()
        throw error
    }
    await harness.close()
}

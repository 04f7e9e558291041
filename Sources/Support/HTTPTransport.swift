import AsyncHTTPClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import NIOHTTP1

/// Every HTTP request Loopdesk sends — webhooks, helpdesk write-backs, issue trackers, and the
/// CLI's calls to a running service — goes through one of these: an AsyncHTTPClient (SwiftNIO)
/// client that never follows a redirect and keeps at most ``maxBodyBytes`` of an answer.
///
/// Why not `URLSession`: on Linux, FoundationNetworking drives libcurl from dispatch sources
/// and busy-waits while a response is outstanding — a client waiting 5 s for an answer burned
/// 4.2 CPU-seconds (Benchmarks/RESULTS.md, "`loopdesk kb import` at the embedder's pace: the client spun"). On two cores that was
/// the CLI taking most of a core from the embedder during `kb import --server`, and the service
/// spinning while a helpdesk took its time to answer a write-back. NIO waits in `epoll`.
///
/// A redirect (`3xx`) is the request's result, not an instruction to send the body, its
/// signature and its credentials somewhere else: the caller sees the `3xx` itself.
public final class HTTPTransport: Sendable {
    /// A transport failure (no connection, a timeout, a malformed answer): the request may be retried.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The most of a response body kept; the rest is read and dropped (never an error).
    public let maxBodyBytes: Int
    /// How long one request may take, connection included.
    public let timeout: TimeInterval
    private let client: HTTPClient
    /// The longest a connection may take to open, whatever the request's timeout.
    static let maxConnectSeconds: TimeInterval = 30

    /// A transport whose requests time out after `timeout` seconds (connection, write and
    /// answer together; opening the connection at most 30 s of it) and keep at most
    /// `maxBodyBytes` of each answer. A connection refused fails at once.
    public init(timeout: TimeInterval, maxBodyBytes: Int = 256 << 10) {
        self.timeout = timeout
        self.maxBodyBytes = max(0, maxBodyBytes)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.amount(min(timeout, Self.maxConnectSeconds)), read: Self.amount(timeout)))
        configuration.decompression = .disabled
        // A refused or failed connection fails its request at once: the outbox retries with its own
        // back-off, and a CLI verb says the service is not there (AsyncHTTPClient's default retries
        // connecting until the request's deadline, minutes for the CLI).
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `request` once (its method, URL, headers and body; its own `timeoutInterval` when shorter).
    /// - Returns: the response as it came, a `3xx` included, with its body's first ``maxBodyBytes``.
    /// - Throws: ``Failure`` naming what went wrong (no connection, timeout, a request without a URL).
    public func send(_ request: URLRequest) async throws -> (HTTPURLResponse, Data) {
        guard let url = request.url else { throw Failure(description: "the request has no URL") }
        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.httpMethod ?? "GET")
        for (name, value) in request.allHTTPHeaderFields ?? [:] { outgoing.headers.add(name: name, value: value) }
        if let body = request.httpBody { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = request.timeoutInterval > 0 ? min(request.timeoutInterval, timeout) : timeout
        let response: HTTPClientResponse
        var body = Data()
        do {
            response = try await client.execute(outgoing, timeout: Self.amount(seconds))
            for try await part in response.body {
                let room = maxBodyBytes - body.count
                if room > 0 { body.append(contentsOf: part.readableBytesView.prefix(room)) }
            }
        } catch {
            throw Failure(description: "\(url.host ?? "?"): \(Self.describe(error))")
        }
        var fields: [String: String] = [:]
        for header in response.headers {
            fields[header.name] = fields[header.name].map { $0 + ", " + header.value } ?? header.value
        }
        guard let http = HTTPURLResponse(url: url, statusCode: Int(response.status.code), httpVersion: "HTTP/1.1",
                                         headerFields: fields) else {
            throw Failure(description: "\(url.host ?? "?"): an answer with status \(response.status.code) that cannot be read")
        }
        return (http, body)
    }

    /// Closes the connections; requests still in flight fail. Safe to call more than once.
    public func shutdown() async {
        do {
            try await client.shutdown()
        } catch {
            // Already shut down: nothing to close.
        }
    }

    /// A NIO duration of `seconds` (at least a millisecond).
    static func amount(_ seconds: TimeInterval) -> TimeAmount {
        .milliseconds(Int64(max(1, (seconds * 1000).rounded())))
    }

    /// A transport error in words: AsyncHTTPClient's and NIO's errors describe themselves.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return "timed out (\(error))"
            default: return String(describing: error)
            }
        }
        return String(describing: error)
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Primitives

/// POSTs a webhook and never follows a redirect: a `3xx` answer is the delivery's result
/// (a failure), not an instruction to send the body, its signature and its event somewhere else.
///
/// Foundation follows redirects for tasks with a completion handler (and `async` `data(for:)`)
/// without asking any delegate, so deliveries run as delegate-driven data tasks whose
/// redirection callback declines every redirect.
final class WebhookTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// One task's state: who waits for it, the response head once it arrives, and the body
    /// so far (kept up to ``maxBodyBytes``: an issue tracker's answer names the issue it made).
    private struct Pending {
        var continuation: CheckedContinuation<(HTTPURLResponse, Data), any Error>
        var response: URLResponse?
        var body = Data()
    }

    /// The most of a response body kept; the rest is dropped (never an error).
    static let maxBodyBytes = 256 << 10

    /// The tasks in flight, by task identifier.
    private let pending = Locked<[Int: Pending]>([:])
    private var session: URLSession!

    /// A transport whose requests time out after `timeout` seconds.
    init(timeout: TimeInterval) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    /// Sends `request` once.
    /// - Returns: the receiver's response, redirects included as they are, and its body's first ``maxBodyBytes``.
    /// - Throws: the transport's errors (no connection, timeout).
    func send(_ request: URLRequest) async throws -> (HTTPURLResponse, Data) {
        try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request)
            pending.withLock { $0[task.taskIdentifier] = Pending(continuation: continuation) }
            task.resume()
        }
    }

    /// Stops the session; deliveries in flight fail.
    func invalidate() {
        session.invalidateAndCancel()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        pending.withLock { $0[dataTask.taskIdentifier]?.response = response }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        pending.withLock { tasks in
            guard var entry = tasks[dataTask.taskIdentifier] else { return }
            entry.body.append(data.prefix(max(0, Self.maxBodyBytes - entry.body.count)))
            tasks[dataTask.taskIdentifier] = entry
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let done = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let error {
            done.continuation.resume(throwing: error)
        } else if let http = (done.response ?? task.response) as? HTTPURLResponse {
            done.continuation.resume(returning: (http, done.body))
        } else {
            done.continuation.resume(throwing: URLError(.badServerResponse))
        }
    }
}

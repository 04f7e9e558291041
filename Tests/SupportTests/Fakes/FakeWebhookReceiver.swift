import Foundation
import LoopdeskTestSupport

/// A stand-in for a webhook receiver (an issue tracker, a chat hook) on ``FakeHTTPServer``:
/// records each request's path, headers and body, and answers with the next reply of a
/// script (then 200). A 3xx points elsewhere on this receiver, so a sender that followed it
/// would show up twice.
final class FakeWebhookReceiver: @unchecked Sendable {
    /// What to answer one request with.
    enum Reply {
        /// An HTTP status (with a two-byte body).
        case status(Int)
        /// Close the connection without a word: the sender sees a transport error.
        case hangUp
    }

    private let server: FakeHTTPServer
    var port: UInt16 { server.port }

    /// Listens on a free port; `statuses` are answered in order, then 200.
    convenience init(statuses: [Int] = []) throws {
        try self.init(replies: statuses.map(Reply.status))
    }

    /// Listens on a free port; `replies` are answered in order, then 200.
    init(replies: [Reply]) throws {
        let script = Script(replies)
        let port = Port()
        server = try FakeHTTPServer { _ in
            switch script.next() {
            case .hangUp: return .hangUp
            case .status(let status):
                let location = (300..<400).contains(status) ? [("Location", "http://127.0.0.1:\(port.value)/redirected")] : []
                return .respond(.init(status: status, headers: location))
            }
        }
        port.value = server.port
    }

    /// The receiver's URL for bug events.
    var url: URL { url(path: "/hooks/bugs") }

    /// The receiver's URL with another path.
    func url(path: String) -> URL { server.url(path: path) }

    /// Every request so far, in arrival order.
    var requests: [FakeHTTPServer.Request] { server.requests }

    /// Stops accepting connections.
    func stop() { server.stop() }

    /// The replies still to give, shared with the server's thread.
    private final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var replies: [Reply]
        init(_ replies: [Reply]) { self.replies = replies }
        func next() -> Reply { lock.withLock { replies.isEmpty ? .status(200) : replies.removeFirst() } }
    }

    /// The port, known only once the server listens.
    private final class Port: @unchecked Sendable {
        var value: UInt16 = 0
    }
}

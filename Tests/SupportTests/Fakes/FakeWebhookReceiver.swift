#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A stand-in for a webhook receiver (an issue tracker, a chat hook): a one-thread
/// HTTP/1.1 server on 127.0.0.1 that records each request's path, headers and body,
/// and answers with the next reply of a script (then 200).
final class FakeWebhookReceiver: @unchecked Sendable {
    /// One request as it arrived.
    struct Received {
        var path: String
        var headers: [String: String]
        var body: Data
        var arrivedAt: Date
    }

    /// What to answer one request with.
    enum Reply {
        /// An HTTP status (with a two-byte body).
        case status(Int)
        /// Close the connection without a word: the sender sees a transport error.
        case hangUp
    }

    private let lock = NSLock()
    private var replies: [Reply]
    private var received: [Received] = []
    private var stopped = false
    private let listener: Int32
    let port: UInt16
    private var thread: Thread?

    /// Listens on a free port; `statuses` are answered in order, then 200.
    convenience init(statuses: [Int] = []) throws {
        try self.init(replies: statuses.map(Reply.status))
    }

    /// Listens on a free port; `replies` are answered in order, then 200.
    init(replies: [Reply]) throws {
        self.replies = replies
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        self.thread = thread
        thread.start()
    }

    /// The receiver's URL for bug events.
    var url: URL { url(path: "/hooks/bugs") }

    /// The receiver's URL with another path.
    func url(path: String) -> URL {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { preconditionFailure("not a URL path: \(path)") }
        return url
    }

    /// Every request so far, in arrival order.
    var requests: [Received] { lock.withLock { received } }

    /// Stops accepting connections (once: a second call must not close a descriptor number reused since).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = read(connection, &chunk, chunk.count)
            guard n > 0 else { return }
            buffer += chunk[0..<n]
            if headerEnd == nil, let range = Data(buffer).range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: buffer[0..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let end = headerEnd, buffer.count >= end + contentLength { break }
        }
        guard let end = headerEnd else { return }
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first.map { $0.split(separator: " ") } ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let reply = lock.withLock { () -> Reply in
            received.append(Received(path: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers,
                                     body: Data(buffer[end..<(end + contentLength)]), arrivedAt: Date()))
            return replies.isEmpty ? .status(200) : replies.removeFirst()
        }
        guard case .status(let status) = reply else { return }
        // A 3xx points elsewhere on this receiver, so a sender that follows it shows up twice.
        let location = (300..<400).contains(status) ? "Location: http://127.0.0.1:\(port)/redirected\r\n" : ""
        let text = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\n\(location)Content-Length: 2\r\nConnection: close\r\n\r\nok"
        _ = text.utf8CString.withUnsafeBufferPointer { write(connection, $0.baseAddress, $0.count - 1) }
    }
}

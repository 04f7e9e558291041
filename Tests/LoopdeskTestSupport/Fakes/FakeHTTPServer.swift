#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The HTTP/1.1 server under every test double of a service outside this machine (a webhook
/// receiver, a helpdesk's REST API): one thread on 127.0.0.1, a connection at a time, every
/// request recorded as it arrived and answered by the double's handler. Small on purpose:
/// `Content-Length` bodies, `Connection: close`, nothing a real client of ours does not need.
public final class FakeHTTPServer: @unchecked Sendable {
    /// One request as it arrived.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ….
        public var method: String
        /// The request target: path and query.
        public var path: String
        /// Header values by lower-cased name.
        public var headers: [String: String]
        /// The body's bytes.
        public var body: Data
        /// When it arrived.
        public var arrivedAt: Date

        /// The body as a JSON object, or nil.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// An answer.
    public struct Response: Sendable {
        /// The status.
        public var status: Int
        /// Extra headers, in order (`Content-Length` and `Connection` are added).
        public var headers: [(String, String)]
        /// The body.
        public var body: Data

        /// An answer.
        public init(status: Int, headers: [(String, String)] = [], body: Data = Data("ok".utf8)) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A JSON answer.
        public static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: data)
        }
    }

    /// What to do with one request.
    public enum Reply: Sendable {
        /// Answer it.
        case respond(Response)
        /// Close the connection without a word: the client sees a transport error.
        case hangUp
    }

    private let lock = NSLock()
    private var received: [Request] = []
    private var stopped = false
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    /// The port it listens on.
    public let port: UInt16

    /// Listens on `port` (0: a free one) and answers every request with `handler`.
    public init(port: UInt16 = 0, handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT` and `path`.
    public func url(path: String = "") -> URL {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { preconditionFailure("not a URL path: \(path)") }
        return url
    }

    /// Every request so far, in arrival order.
    public var requests: [Request] { lock.withLock { received } }

    /// Stops accepting connections (once: a second call must not close a descriptor number reused since).
    public func stop() {
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
        let request = Request(method: requestLine.first.map(String.init) ?? "", path: requestLine.count > 1 ? String(requestLine[1]) : "",
                              headers: headers, body: Data(buffer[end..<(end + contentLength)]), arrivedAt: Date())
        lock.withLock { received.append(request) }
        guard case .respond(let response) = handler(request) else { return }
        var head = "HTTP/1.1 \(response.status) \(response.status < 300 ? "OK" : "Error")\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        // All of it, and no SIGPIPE when the client has given up already (a timeout test).
        sendAll(connection, Array(head.utf8) + Array(response.body))
    }
}

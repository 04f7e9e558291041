#if canImport(Glibc)
import Glibc
#endif
import CoreServer
import Embedding
import Foundation
import Logging
@testable import Support
import Wire
import XCTest

/// What the gap tests share: a real core on a temporary socket, a service over a
/// temporary SQLite file, CLINC150 from `../shared` and a tiny HTTP receiver.
final class GapHarness: @unchecked Sendable {
    let root: String
    let core: CoreServer
    let socketPath: String

    /// The repository root, from this file's path (CI has `../shared` beside the checkout).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// MiniLM when installed at ./models, else the hashed fallback (quietly).
    static let embedder: any SentenceEmbedder = {
        (try? Embedder.load(searchDirectories: [repositoryRoot], warn: { _ in })) ?? HashedEmbedder()
    }()

    static var hasMiniLM: Bool { embedder.identity.name.lowercased().contains("minilm") }

    /// Skips a test whose numbers only mean something with MiniLM.
    static func requireMiniLM() throws {
        guard hasMiniLM else { throw XCTSkip("MiniLM is not installed at ./models; the CLINC150 gap measurements need it") }
    }

    init() throws {
        var template = Array("/tmp/ldgp-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw POSIXError(.EIO) }
        root = String(cString: template)
        socketPath = root + "/core.sock"
        var configuration = ServerConfiguration(socketPath: socketPath, dataPath: root + "/core")
        configuration.fsyncPolicy = .no
        var logger = Logger(label: "test.core")
        logger.logLevel = .error
        core = try CoreServer(configuration: configuration, logger: logger)
        core.start()
    }

    deinit {
        _ = core.shutdown()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A service over this harness's core and a fresh database.
    func service(database: String = "loopdesk.sqlite", clock: any SupportClock = SystemClock(),
                 _ configure: (inout SupportConfiguration) -> Void = { _ in }) async throws -> SupportService {
        var configuration = SupportConfiguration()
        configuration.gaps = GapConfiguration(environment: [:])
        configure(&configuration)
        var logger = Logger(label: "test.support")
        logger.logLevel = .error
        return try await SupportService.open(databasePath: root + "/" + database, coreSocket: socketPath, embedder: Self.embedder,
                                             clock: clock, configuration: configuration, logger: logger)
    }
}

/// CLINC150 (Larson et al., 2019) as the gap tests use it.
struct CLINC {
    let splits: [String: [[String]]]

    static let directory = GapHarness.repositoryRoot + "/../shared/data/clinc150"

    /// Loaded once per test process.
    nonisolated(unsafe) static var cached: CLINC?

    static func load() throws -> CLINC {
        if let cached { return cached }
        let path = directory + "/data_full.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XCTSkip("CLINC150 is not at \(path)")
        }
        let loaded = CLINC(splits: try JSONDecoder().decode([String: [[String]]].self, from: data))
        cached = loaded
        return loaded
    }

    /// Utterances of a split by intent, in file order.
    func byIntent(_ split: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for row in splits[split] ?? [] where row.count == 2 { out[row[1], default: []].append(row[0]) }
        return out
    }

    /// In-scope intents, sorted.
    var intents: [String] { byIntent("train").keys.filter { $0 != "oos" }.sorted() }

    /// Out-of-scope utterances of a split.
    func outOfScope(_ split: String) -> [String] { (splits[split] ?? []).filter { $0.count == 2 && $0[1] == "oos" }.map { $0[0] } }

    /// One article per intent, as the replay's converter builds them: title from the
    /// intent's name, body = the title and its first two training utterances.
    func article(_ intent: String) -> ArticleInput {
        let title = intent.split(separator: "_").joined(separator: " ").capitalizedFirst
        let body = ([title] + (byIntent("train")[intent] ?? []).prefix(2)).joined(separator: "\n")
        return ArticleInput(id: intent, title: title, body: body, tags: ["topic:\(intent)"])
    }
}

extension StringProtocol {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A one-thread HTTP/1.1 receiver on 127.0.0.1 that records each request's body and
/// headers and answers with the next status of a script (then 200).
final class WebhookReceiver: @unchecked Sendable {
    struct Received { var headers: [String: String]; var body: Data }

    private let lock = NSLock()
    private var statuses: [Int]
    private var received: [Received] = []
    private let listener: Int32
    let port: UInt16
    private var thread: Thread?

    init(statuses: [Int] = []) throws {
        self.statuses = statuses
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

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hooks/bugs")! }

    var requests: [Received] { lock.withLock { received } }

    func stop() {
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
        let end = headerEnd!
        var headers: [String: String] = [:]
        for line in String(decoding: buffer[0..<end], as: UTF8.self).split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status = lock.withLock { () -> Int in
            received.append(Received(headers: headers, body: Data(buffer[end..<(end + contentLength)])))
            return statuses.isEmpty ? 200 : statuses.removeFirst()
        }
        // A 3xx points elsewhere on this receiver, so a client that follows it shows up twice.
        let location = (300..<400).contains(status) ? "Location: http://127.0.0.1:\(port)/redirected\r\n" : ""
        let reply = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\n\(location)Content-Length: 2\r\nConnection: close\r\n\r\nok"
        _ = reply.utf8CString.withUnsafeBufferPointer { write(connection, $0.baseAddress, $0.count - 1) }
    }
}

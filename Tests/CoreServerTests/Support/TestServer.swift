#if canImport(Glibc)
import Glibc
import Primitives
#endif
import CoreServer
import Foundation
import LoopdeskTestSupport
import VectorIndex
import Wire
import XCTest

/// A real server on a temporary socket and data directory, for one test.
final class TestServer {
    private let directory: TemporaryDirectory
    private let core: RunningCore

    /// Creates the directories and starts a server; `configure` may change the configuration first.
    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory(prefix: "ldcs")
        core = try RunningCore(socketPath: directory.file("core.sock"), dataPath: directory.file("data")) { configuration in
            configuration.writeStallTimeout = 2
            configure(&configuration)
        }
    }

    var root: String { directory.path }
    var configuration: ServerConfiguration { core.configuration }
    var server: CoreServer? { core.server }
    var socketPath: String { core.socketPath }
    var dataPath: String { core.dataPath }

    /// Starts (or restarts) the server on the same socket and data directory.
    func start() throws { try core.start() }

    /// Stops gracefully. - Returns: the snapshots written.
    @discardableResult
    func stop() -> [String] { core.stop() }

    deinit {
        core.stop()
        directory.remove()
    }

    /// A blocking client that has completed HELLO.
    func client(_ name: String = "test") throws -> LoopdeskBlockingClient {
        try LoopdeskBlockingClient(socketPath: socketPath, clientName: name)
    }

    /// Asserts that a fresh connection is served: the server keeps serving everyone else.
    func assertServing(file: StaticString = #filePath, line: UInt = #line) {
        do {
            let client = try self.client("bystander")
            XCTAssertEqual(try client.call(PingRequest(payload: [9, 8, 7])).payload, [9, 8, 7], file: file, line: line)
        } catch {
            XCTFail("a new connection was not served: \(error)", file: file, line: line)
        }
    }

    /// Creates collection `name` and fills it with `count` random `dim`-d vectors (ids 1…count).
    @discardableResult
    func fill(_ name: String = "kb", dim: Int = 8, count: Int = 100, metric: WireMetric = .l2) throws -> [Float] {
        let client = try self.client()
        _ = try client.call(CreateCollectionRequest(name: name, dimension: dim, metric: metric))
        var generator = SystemRandomNumberGenerator()
        let vectors = (0..<(count * dim)).map { _ in Float.random(in: -1...1, using: &generator) }
        let batch = ItemBatch(dimension: dim, ids: (1...UInt64(count)).map { $0 }, vectors: vectors,
                              groups: (1...UInt64(count)).map { $0 % 7 }, tags: (0..<count).map { ["t\($0 % 3)"] })
        _ = try client.call(UpsertRequest(collection: name, items: batch))
        return vectors
    }

    /// Waits until `condition` holds (polling), or fails after `seconds`.
    func eventually(_ what: String, within seconds: Double = 5, file: StaticString = #filePath, line: UInt = #line,
                    _ condition: () -> Bool) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return }
            usleep(20_000)
        }
        XCTFail("timed out waiting for: \(what)", file: file, line: line)
    }
}

/// A raw socket to the server, for sending bytes that no well-behaved client would.
final class RawPeer {
    let fd: Int32
    private var decoder = FrameDecoder()

    init(_ path: String, receiveTimeout: Int = 5) throws {
        fd = try UnixSocket.connect(path: path)
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws { try UnixSocket.sendAll(fd, bytes) }

    /// Sends HELLO (id `requestID`) and checks the reply.
    @discardableResult
    func hello(major: UInt16 = 1, requestID: UInt32 = 1) throws -> HelloResponse {
        try send(HelloRequest(major: major, clientName: "raw").frame(requestID: requestID))
        let frame = try XCTUnwrap(try next())
        XCTAssertFalse(frame.header.isError, "HELLO failed: \((try? ErrorPayload.decode(frame.payload))?.description ?? "")")
        return try HelloResponse.decode(payload: frame.payload)
    }

    /// The next frame from the server, or nil at end of stream.
    func next() throws -> Frame? {
        while true {
            if case .frame(let frame) = try decoder.next() { return frame }
            let n = try UnixSocket.receive(fd, into: &decoder)
            if n == 0 { return nil }
        }
    }

    /// Reads the next frame and checks it is an error with `code` answering `requestID`.
    @discardableResult
    func expectError(_ code: ErrorCode, requestID: UInt32, kind: MessageKind? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> WireError {
        let frame = try XCTUnwrap(try next(), "connection closed before the \(code.name) error", file: file, line: line)
        XCTAssertTrue(frame.header.isError, "expected \(code.name), got a success of \(frame.header.kind)", file: file, line: line)
        XCTAssertEqual(frame.header.requestID, requestID, file: file, line: line)
        if let kind { XCTAssertEqual(frame.header.kind, kind, file: file, line: line) }
        let error = try ErrorPayload.decode(frame.payload)
        XCTAssertEqual(error.code, code, "message: \(error.message)", file: file, line: line)
        return error
    }

    /// Checks that the server closed the connection (after any frames it still had to send).
    func expectClosed(file: StaticString = #filePath, line: UInt = #line) throws {
        let frame = try next()
        XCTAssertNil(frame, "expected end of stream, got \(String(describing: frame?.header))", file: file, line: line)
    }
}

/// A frame header with any field values, valid or not.
func rawHeader(length: UInt32, kind: UInt8, flags: UInt8 = 0, reserved: UInt16 = 0, requestID: UInt32) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(length)
    writer.write(kind)
    writer.write(flags)
    writer.write(reserved)
    writer.write(requestID)
    return writer.bytes
}

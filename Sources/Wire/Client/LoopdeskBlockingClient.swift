import Primitives

/// A synchronous client for benchmarks and tools: each call writes its
/// frame and blocks the calling thread in `read(2)` until the reply.
///
/// No reader thread and no continuation: a round trip costs what a plain
/// blocking socket round trip costs, which is the floor the async
/// ``LoopdeskClient`` is measured against. Not thread-safe: use one per thread.
public final class LoopdeskBlockingClient {
    private var fd: Int32
    private var decoder = FrameDecoder()
    private var nextID: UInt32 = 1
    private var maxPayloadLength = WireProtocol.maxPayloadLength
    /// The server's `HELLO` reply.
    public private(set) var server: HelloResponse
    /// How long to poll the socket for a reply before blocking in `read(2)`
    /// (seconds; 0, the default, blocks at once). On a VM an idle vCPU that
    /// sleeps longer than the host's halt-polling window (about 200 µs)
    /// takes tens of microseconds to wake, so a caller waiting for requests
    /// that take longer than that (searches) can trade a core's spinning for
    /// that wake-up. Use only where a core is to spare.
    public var spinBeforeBlocking: Double = 0

    /// Connects to `socketPath` and performs the `HELLO` handshake.
    /// - Throws: ``ConnectionError/connectFailed(path:errno:)`` or ``ConnectionError/handshakeFailed(_:)``.
    public init(socketPath: String, clientName: String = "LoopdeskBlockingClient") throws {
        fd = try UnixSocket.connect(path: socketPath)
        server = HelloResponse(maxInFlight: 1, serverName: "")
        do {
            let reply = try exchange([Exchange.hello(clientName: clientName)])[0]
            server = try Exchange.checkHello(reply)
            maxPayloadLength = min(server.maxPayloadLength, WireProtocol.maxPayloadLength)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the connection; later calls throw ``ConnectionError/closed(_:)``.
    public func close() {
        if fd >= 0 {
            UnixSocket.shutdown(fd)
            UnixSocket.closeDescriptor(fd)
            fd = -1
        }
    }

    /// Sends one request and waits for its reply.
    /// - Returns: the reply.
    /// - Throws: the server's ``WireError``, a local ``WireError`` (invalid
    ///   argument, frame too large) or a ``ConnectionError``.
    public func call<R: WireRequest>(_ request: R) throws -> R.Response {
        try exchange([request])[0].get()
    }

    /// Sends all `requests` in one write, then reads all replies: pipelining
    /// without threads. A request the server refuses yields a failure in its
    /// slot; the others are unaffected.
    /// - Returns: one result per request, in request order.
    /// - Throws: ``ConnectionError`` (all requests are then lost), or a local
    ///   ``WireError`` for a request that could not be framed (nothing is sent).
    public func callPipelined<R: WireRequest>(_ requests: [R]) throws -> [Result<R.Response, WireError>] {
        try exchange(requests)
    }

    /// Polls for reply bytes for up to ``spinBeforeBlocking`` seconds.
    /// - Returns: whether bytes arrived.
    private func spinForReply() throws -> Bool {
        guard spinBeforeBlocking > 0 else { return false }
        var start = timespec(), now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while true {
            let n = decoder.receive { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { return true }
            if n == 0 { throw ConnectionError.closed("the server closed the connection") }
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { throw ConnectionError.ioFailed(operation: "recv", errno: errno) }
            clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9 > spinBeforeBlocking { return false }
        }
    }

    private func exchange<R: WireRequest>(_ requests: [R]) throws -> [Result<R.Response, WireError>] {
        guard fd >= 0 else { throw ConnectionError.closed("closed by the client") }
        let firstID = nextID == 0 ? 1 : nextID
        var bytes: [UInt8] = []
        var ids: [UInt32: Int] = [:]
        ids.reserveCapacity(requests.count)
        var id = firstID
        for (index, request) in requests.enumerated() {
            if id == 0 { id = 1 }
            let frame = try Exchange.frame(request, requestID: id, maxPayloadLength: maxPayloadLength)
            if requests.count == 1 { bytes = frame } else { bytes.append(contentsOf: frame) }
            ids[id] = index
            id &+= 1
        }
        nextID = id
        do {
            try UnixSocket.sendAll(fd, bytes)
            var results = [Result<R.Response, WireError>?](repeating: nil, count: requests.count)
            var remaining = requests.count
            while remaining > 0 {
                var violation: ConnectionError?
                let got = try decoder.withNextFrame { (header, payload) throws(WireError) -> Bool in
                    try header.validateAsResponse()
                    if header.requestID == 0 { throw (try? ErrorPayload.decode(payload)) ?? WireError(.malformedPayload, "undecodable notice") }
                    guard let index = ids.removeValue(forKey: header.requestID) else {
                        throw WireError(.malformedFrame, "reply to request \(header.requestID), which is not in flight")
                    }
                    do throws(ConnectionError) {
                        results[index] = try Exchange.reply(to: R.self, header: header, payload: payload)
                    } catch {
                        violation = error
                    }
                    return true
                }
                if let violation { throw violation }
                if got != nil {
                    remaining -= 1
                } else if try !spinForReply(), try UnixSocket.receive(fd, into: &decoder) == 0 {
                    throw ConnectionError.closed("the server closed the connection")
                }
            }
            return results.map { $0! }
        } catch let error as WireError where error.code == .malformedFrame || error.code == .frameTooLarge {
            close()
            throw ConnectionError.protocolViolation(error)
        } catch {
            close()
            throw error
        }
    }
}

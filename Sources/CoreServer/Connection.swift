import Foundation
import Logging
import Primitives
import Wire

/// One client connection: its thread, and the state machine of
/// `docs/PROTOCOL.md` §3, §5 and §8.3.
///
/// The connection's thread blocks in `read(2)`, cuts frames straight out of
/// its receive buffer and answers each inline, batching the replies of one
/// read into one `send`. When a search (or `GET`, `SNAPSHOT`, `STATS`, or an
/// extension kind) has more requests buffered behind it, it goes to the
/// ``WorkerPool`` instead, so a pipelining client keeps every core busy; the
/// worker sends its reply itself.
///
/// States: awaiting `HELLO` → serving → draining (after a fatal framing
/// error, end of stream, a timeout or shutdown: read nothing more, let
/// executing requests finish and their replies go out) → closed.
///
/// Until `HELLO` succeeds a frame may carry at most `HELLO`'s own largest
/// payload and the receive buffer stays at its small starting size; a peer
/// that has not completed `HELLO` within `handshakeTimeout`, or that sends
/// no whole request for `idleTimeout` while nothing of it executes or waits
/// to be sent, gets a `TIMED_OUT` notice and is closed.
final class Connection: @unchecked Sendable {
    let fd: Int32
    let number: UInt64
    let context: ServerContext
    var logger: Logger

    // The connection thread's own state.
    private var decoder: FrameDecoder
    /// When the connection was accepted (the handshake timeout counts from here).
    private let acceptedAt: UInt64
    /// When the last whole request arrived (the idle timeout counts from here).
    private var lastRequestAt: UInt64
    private var handshaken = false
    private var minor: UInt16 = 0
    private var batch: [UInt8] = []
    private var closing = false

    // Shared with workers and the flusher, under `state`.
    let state = NSCondition()
    /// Request ids executing on workers.
    private var offloaded = Set<UInt32>()
    /// Bytes the socket did not take yet, from `pendingStart` on.
    var pending: [UInt8] = []
    var pendingStart = 0
    /// When the pending output last moved.
    var lastProgress: UInt64 = 0
    /// The socket failed or was aborted: nothing more is sent or read.
    var broken = false

    init(fd: Int32, number: UInt64, context: ServerContext) {
        self.fd = fd
        self.number = number
        self.context = context
        decoder = FrameDecoder(maxPayloadLength: UInt32(HelloRequest.maxPayloadLength),
                               initialCapacity: Self.handshakeBufferBytes, retainedCapacity: 64 * 1024)
        acceptedAt = Monotonic.now()
        lastRequestAt = acceptedAt
        logger = context.logger
        logger[metadataKey: "connection"] = "\(number)"
    }

    /// The connection thread's body: read, answer, repeat; then drain and close.
    func run() {
        readLoop()
        drainAndClose()
    }

    /// The receive buffer of a connection that has not completed `HELLO`: one
    /// largest `HELLO` frame, rounded up.
    static let handshakeBufferBytes = 512

    private func readLoop() {
        while !closing {
            if context.isStopping { return }
            guard waitForRoom() else { return }
            guard waitForInput() else { return }
            let space = handshaken ? 16 * 1024 : WireProtocol.headerLength + HelloRequest.maxPayloadLength
            let n = decoder.receive(minimumSpace: space) { buffer in read(fd, buffer.baseAddress, buffer.count) }
            if n == 0 {
                if decoder.bufferedByteCount > 0 {
                    logger.debug("peer closed mid-frame; partial frame discarded", metadata: ["bytes": "\(decoder.bufferedByteCount)"])
                }
                return
            }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            processBufferedFrames()
            flushBatch()
        }
    }

    /// Back-pressure (§5, §9): waits while the connection has `maxInFlight`
    /// requests on workers or more than `outputHighWater` bytes unsent.
    /// - Returns: false when the connection broke meanwhile.
    private func waitForRoom() -> Bool {
        let limit = context.configuration.maxInFlight
        let highWater = context.configuration.outputHighWater
        state.lock()
        defer { state.unlock() }
        while !broken && (offloaded.count >= limit || pending.count - pendingStart > highWater) {
            state.wait()
        }
        return !broken
    }

    // MARK: - Timeouts

    /// Waits until the socket is readable (bytes, end of stream or an error
    /// for `read` to report), or the handshake or idle timeout passes.
    /// - Returns: false when the connection timed out (a `TIMED_OUT` notice is queued).
    private func waitForInput() -> Bool {
        while true {
            guard let deadline = readDeadline() else { return true }
            let now = Monotonic.now()
            if now >= deadline {
                // Requests executing or replies waiting: busy, not idle.
                if handshaken && isBusy {
                    lastRequestAt = now
                    continue
                }
                timeOut()
                return false
            }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min((deadline - now) / 1_000_000 + 1, 60_000))
            let result = poll(&ready, 1, milliseconds)
            if result > 0 || (result < 0 && errno != EINTR) { return true }
        }
    }

    /// When waiting for the next bytes ends: the handshake deadline before
    /// `HELLO`, the idle deadline after it, nil for no limit (`idleTimeout` 0).
    private func readDeadline() -> UInt64? {
        let configuration = context.configuration
        if !handshaken { return acceptedAt &+ Self.nanoseconds(configuration.handshakeTimeout) }
        guard configuration.idleTimeout > 0 else { return nil }
        return lastRequestAt &+ Self.nanoseconds(configuration.idleTimeout)
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(max(0, min(seconds, 1e9)) * 1e9)
    }

    /// Whether requests of this connection execute or its replies wait to be sent.
    private var isBusy: Bool {
        state.withLock { !offloaded.isEmpty || pending.count > pendingStart }
    }

    /// Queues the `TIMED_OUT` notice and ends reading.
    private func timeOut() {
        let configuration = context.configuration
        let error = handshaken
            ? WireError(.timedOut, "no request for \(configuration.idleTimeout) s: the idle connection is closed "
                + "(serve --idle-timeout); reconnect when there is something to send")
            : WireError(.timedOut, "no HELLO within \(configuration.handshakeTimeout) s of connecting: the connection is closed "
                + "(serve --handshake-timeout)")
        logger.info("closing a connection that timed out", metadata: ["error": "\(error)"])
        context.stats.recordError(.timedOut)
        batch.append(contentsOf: ErrorPayload.frame(error, kind: .notice, requestID: 0))
        closing = true
    }

    // MARK: - Frames

    private enum Decoded {
        case request(FrameHeader, Request)
        case extensionKind(FrameHeader, KindHandler, [UInt8])
        case invalid(FrameHeader, WireError)
        case badHeader(FrameHeader, WireError)
    }

    /// Answers every complete frame in the buffer.
    private func processBufferedFrames() {
        let handlers = context.extensions.handlers
        while !closing {
            let started = Monotonic.now()
            let decoded: Decoded?
            do throws(WireError) {
                decoded = try decoder.withNextFrame { (header, payload) throws(WireError) -> Decoded in
                    do throws(WireError) { try header.validateAsRequest() } catch { return .badHeader(header, error) }
                    if let handler = handlers[header.kind] { return .extensionKind(header, handler, Array(payload)) }
                    do throws(WireError) { return .request(header, try Request.decode(kind: header.kind, payload: payload)) } catch {
                        return .invalid(header, error)
                    }
                }
            } catch {
                // A header the decoder refused (FRAME_TOO_LARGE, MALFORMED_FRAME): fatal.
                let fields = decoder.rawHeaderFields()
                var error = error
                if !handshaken && error.code == .frameTooLarge {
                    error.message += " before HELLO (a HELLO payload is at most \(HelloRequest.maxPayloadLength) bytes); send HELLO first"
                }
                fatal(error, kind: fields?.kind ?? .notice, requestID: fields?.requestID ?? 0, started: started)
                return
            }
            guard let decoded else { return }
            lastRequestAt = Monotonic.now()
            handle(decoded, started: started)
        }
    }

    private func handle(_ decoded: Decoded, started: UInt64) {
        let dispatcher = context.dispatcher
        switch decoded {
        case .badHeader(let header, let error):
            fatal(error, kind: header.kind, requestID: header.requestID, started: started)
        case .invalid(let header, let error):
            if let refusal = gate(header, started: started) { return batch.append(contentsOf: refusal) }
            batch.append(contentsOf: dispatcher.refuse(error, kind: header.kind, requestID: header.requestID, started: started))
        case .request(let header, .hello(let hello)) where !handshaken:
            batch.append(contentsOf: greet(hello, header: header, started: started))
        case .request(let header, let request):
            if let refusal = gate(header, started: started) { return batch.append(contentsOf: refusal) }
            if RequestDispatcher.mayOffload(request) && decoder.bufferedByteCount > 0 {
                offload(header.requestID, started: started) { [minor] in
                    dispatcher.respond(request, requestID: header.requestID, minor: minor, started: started)
                }
            } else {
                batch.append(contentsOf: dispatcher.respond(request, requestID: header.requestID, minor: minor, started: started))
            }
        case .extensionKind(let header, let handler, let payload):
            if let refusal = gate(header, started: started) { return batch.append(contentsOf: refusal) }
            if !handler.executesInline && decoder.bufferedByteCount > 0 {
                offload(header.requestID, started: started) {
                    dispatcher.respond(extension: handler, kind: header.kind, payload: payload, requestID: header.requestID, started: started)
                }
            } else {
                batch.append(contentsOf: dispatcher.respond(extension: handler, kind: header.kind, payload: payload,
                                                            requestID: header.requestID, started: started))
            }
        }
    }

    /// The checks every request passes before it is decoded further or executed:
    /// handshake, request id not in flight, server not stopping.
    /// - Returns: the refusal frame, or nil to go on.
    private func gate(_ header: FrameHeader, started: UInt64) -> [UInt8]? {
        let dispatcher = context.dispatcher
        if !handshaken && header.kind != .hello {
            return dispatcher.refuse(WireError(.handshakeRequired,
                "\(header.kind.name) before HELLO: send HELLO (magic \"LDSK\", major 1) first"),
                kind: header.kind, requestID: header.requestID, started: started)
        }
        let inUse = state.withLock { offloaded.contains(header.requestID) }
        if inUse {
            return dispatcher.refuse(WireError(.requestIDInUse,
                "request id \(header.requestID) is already in flight on this connection; the request was not executed"),
                kind: header.kind, requestID: header.requestID, started: started)
        }
        if context.isStopping {
            return dispatcher.refuse(WireError(.shuttingDown, "the server is stopping; \(header.kind.name) was not executed"),
                                     kind: header.kind, requestID: header.requestID, started: started)
        }
        return nil
    }

    /// `HELLO` (§5): checks the major version, negotiates the minor.
    private func greet(_ hello: HelloRequest, header: FrameHeader, started: UInt64) -> [UInt8] {
        let ours = "\(WireProtocol.majorVersion).\(WireProtocol.minorVersion)"
        guard hello.major == WireProtocol.majorVersion else {
            return context.dispatcher.refuse(WireError(.unsupportedVersion,
                "protocol major \(hello.major) is not supported; this server speaks major \(WireProtocol.majorVersion) (\(ours))"),
                kind: .hello, requestID: header.requestID, started: started)
        }
        handshaken = true
        decoder.maxPayloadLength = context.configuration.maxPayloadLength
        minor = min(hello.minor, WireProtocol.minorVersion)
        logger.debug("handshake", metadata: ["client": "\(hello.clientName)", "protocol": "\(hello.major).\(minor)"])
        let reply = HelloResponse(major: WireProtocol.majorVersion, minor: minor,
                                  maxPayloadLength: context.configuration.maxPayloadLength,
                                  maxInFlight: UInt32(context.configuration.maxInFlight),
                                  serverName: context.configuration.serverName)
        do {
            let frame = try reply.frame(requestID: header.requestID, flags: .response)
            context.stats.record(.hello, nanoseconds: Monotonic.now() &- started)
            return frame
        } catch {
            return context.dispatcher.refuse(WireError(.internal, "HELLO: the reply could not be encoded: \(error.message)"),
                                             kind: .hello, requestID: header.requestID, started: started)
        }
    }

    /// A fatal framing error (§8.3): the error goes out after the replies
    /// before it, nothing more is read, and the connection closes once the
    /// requests already executing have answered.
    private func fatal(_ error: WireError, kind: MessageKind, requestID: UInt32, started: UInt64) {
        logger.info("closing connection after a framing error", metadata: ["error": "\(error)"])
        batch.append(contentsOf: context.dispatcher.refuse(error, kind: kind, requestID: requestID, started: started))
        closing = true
    }

    /// Hands a request to a worker; its reply is sent from there.
    private func offload(_ requestID: UInt32, started: UInt64, _ work: @escaping @Sendable () -> [UInt8]) {
        state.withLock { _ = offloaded.insert(requestID) }
        context.pool.submit { [self] in
            let frame = work()
            state.lock()
            offloaded.remove(requestID)
            enqueueLocked(frame)
            state.broadcast()
            state.unlock()
        }
    }

    private func flushBatch() {
        guard !batch.isEmpty else { return }
        state.lock()
        enqueueLocked(batch)
        state.unlock()
        batch.removeAll(keepingCapacity: batch.capacity <= 1 << 20)
    }

    // MARK: - Closing

    /// Wakes the connection's thread from `read(2)` with end of stream
    /// (shutdown); bytes already received are still read and answered.
    func stopReading() {
        state.withLock {
            if !broken { _ = Glibc.shutdown(fd, Int32(SHUT_RD)) }
        }
    }

    /// Lets executing requests finish and their replies drain, says
    /// `SHUTTING_DOWN` when the server is stopping, and closes the socket.
    private func drainAndClose() {
        if context.isStopping && !closing {
            // Requests already buffered were answered SHUTTING_DOWN by `gate`; tell the idle client why it is closed.
            let notice = ErrorPayload.frame(WireError(.shuttingDown, "the server is stopping; reconnect to its successor"),
                                            kind: .notice, requestID: 0)
            batch.append(contentsOf: notice)
        }
        flushBatch()
        state.lock()
        while !offloaded.isEmpty { state.wait() }
        while !broken && pending.count > pendingStart { state.wait() }
        broken = true
        state.unlock()
        context.flusher.forget(self)
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        context.connectionEnded(self)
    }
}

extension NSCondition {
    /// Runs `body` with the lock held.
    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

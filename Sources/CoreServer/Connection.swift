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
/// error, end of stream or shutdown: read nothing more, let executing
/// requests finish and their replies go out) → closed.
final class Connection: @unchecked Sendable {
    let fd: Int32
    let number: UInt64
    let context: ServerContext
    var logger: Logger

    // The connection thread's own state.
    private var decoder: FrameDecoder
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
        decoder = FrameDecoder(maxPayloadLength: context.configuration.maxPayloadLength, initialCapacity: 64 * 1024)
        logger = context.logger
        logger[metadataKey: "connection"] = "\(number)"
    }

    /// The connection thread's body: read, answer, repeat; then drain and close.
    func run() {
        readLoop()
        drainAndClose()
    }

    private func readLoop() {
        while !closing {
            if context.isStopping { return }
            guard waitForRoom() else { return }
            let n = decoder.receive { buffer in read(fd, buffer.baseAddress, buffer.count) }
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
                fatal(error, kind: fields?.kind ?? .notice, requestID: fields?.requestID ?? 0, started: started)
                return
            }
            guard let decoded else { return }
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
        minor = min(hello.minor, WireProtocol.minorVersion)
        logger.debug("handshake", metadata: ["client": "\(hello.clientName)", "protocol": "\(hello.major).\(minor)"])
        let reply = HelloResponse(major: WireProtocol.majorVersion, minor: minor,
                                  maxPayloadLength: context.configuration.maxPayloadLength,
                                  maxInFlight: UInt32(context.configuration.maxInFlight),
                                  serverName: context.configuration.serverName)
        context.stats.record(.hello, nanoseconds: Monotonic.now() &- started)
        return reply.frame(requestID: header.requestID, flags: .response)
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

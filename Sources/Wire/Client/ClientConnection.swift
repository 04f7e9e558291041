import Primitives

/// One socket shared by many concurrent requests: the engine of ``LoopdeskClient``.
///
/// Senders register a completion under a fresh request id, then write their
/// frame under the write lock. A dedicated reader thread blocks in `read(2)`,
/// decodes frames in place in its receive buffer, and hands each payload to
/// the completion registered for its id, which decodes the typed reply (one
/// copy of any vector) and resumes the waiting task. A blocking reader thread
/// rather than an event loop because the round trip is dominated by waking a
/// blocked thread: this way a reply costs exactly one wake-up before the
/// continuation resumes.
final class ClientConnection: Sendable {
    /// Called once on the reader thread with the answering frame, or with the
    /// error that ends the request. The payload is valid only during the call.
    typealias Completion = @Sendable (Result<(FrameHeader, UnsafeRawBufferPointer), any Error>) -> Void

    private struct State {
        var pending: [UInt32: Completion] = [:]
        var nextID: UInt32 = 1
        /// Set once the connection is closing; every later request fails with it.
        var closedError: (any Error)?
    }

    private let fd: Int32
    private let state = Locked(State())
    /// Serialises writers, and guards `close(fd)` against a concurrent write.
    private let writeLock = Locked(false) // true once the descriptor is closed
    let maxPayloadLength = Locked(WireProtocol.maxPayloadLength)

    init(path: String) throws(ConnectionError) {
        fd = try UnixSocket.connect(path: path)
        startReader()
    }

    /// Reserves a request id that is not in flight.
    func nextRequestID() -> UInt32 {
        state.withLock { state in
            var id = state.nextID
            while id == 0 || state.pending[id] != nil { id &+= 1 }
            state.nextID = id &+ 1
            return id
        }
    }

    /// Registers `completion` for `requestID` and writes `frame`.
    ///
    /// On any failure, `completion` is called with the error (exactly once).
    func send(_ frame: [UInt8], requestID: UInt32, completion: @escaping Completion) {
        let closed: (any Error)? = state.withLock { state in
            if let error = state.closedError { return error }
            state.pending[requestID] = completion
            return nil
        }
        if let closed {
            completion(.failure(closed))
            return
        }
        let failure: ConnectionError? = writeLock.withLock { isClosed in
            if isClosed { return .closed("the connection was closed") }
            do throws(ConnectionError) {
                try UnixSocket.sendAll(fd, frame)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            // The reader may already have failed it; take it back only if it is still ours.
            if let mine = state.withLock({ $0.pending.removeValue(forKey: requestID) }) {
                mine(.failure(failure))
            }
            shutdown(reason: failure)
        }
    }

    /// Forgets a request (its task was cancelled); a late reply is then dropped.
    func abandon(_ requestID: UInt32, with error: any Error) {
        if let completion = state.withLock({ $0.pending.removeValue(forKey: requestID) }) {
            completion(.failure(error))
        }
    }

    /// Whether the connection still accepts requests.
    var isOpen: Bool { state.withLock { $0.closedError == nil } }

    /// Stops the connection: later requests fail at once with `reason`, and the
    /// reader thread fails those in flight and releases the socket.
    func shutdown(reason: any Error) {
        let first = state.withLock { state in
            if state.closedError != nil { return false }
            state.closedError = reason
            return true
        }
        // Wakes the reader (read returns 0) and any writer blocked in send.
        if first { UnixSocket.shutdown(fd) }
    }

    // MARK: - Reader thread

    private func startReader() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let connection = Unmanaged<ClientConnection>.fromOpaque(argument!).takeRetainedValue()
            connection.readLoop()
            return nil
        }, box)
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ClientConnection>.fromOpaque(box).release()
            shutdown(reason: ConnectionError.ioFailed(operation: "pthread_create", errno: result))
            finish()
        }
    }

    private func readLoop() {
        var decoder = FrameDecoder()
        var ending: (any Error)?
        while ending == nil {
            do throws(ConnectionError) {
                if try UnixSocket.receive(fd, into: &decoder) == 0 {
                    ending = ConnectionError.closed(decoder.bufferedByteCount > 0
                        ? "the server closed the connection in the middle of a frame"
                        : "the server closed the connection")
                    break
                }
            } catch {
                ending = error
                break
            }
            do throws(WireError) {
                while try decoder.withNextFrame({ (header, payload) throws(WireError) in
                    try dispatch(header, payload)
                }) != nil {}
            } catch {
                // A header the client cannot trust, or a notice: the connection is over.
                ending = error.code == .malformedFrame || error.code == .frameTooLarge
                    ? ConnectionError.protocolViolation(error) : error
            }
        }
        // A close() by the client set its own reason first; otherwise the reader's stands.
        shutdown(reason: ending ?? ConnectionError.closed("the reader stopped"))
        failAll(with: state.withLock { $0.closedError } ?? ConnectionError.closed("the reader stopped"))
        finish()
    }

    /// Routes one frame to its request. Throws to end the connection.
    private func dispatch(_ header: FrameHeader, _ payload: UnsafeRawBufferPointer) throws(WireError) {
        try header.validateAsResponse()
        if header.requestID == 0 {
            // A connection notice: the server is about to close.
            throw (try? ErrorPayload.decode(payload)) ?? WireError(.malformedPayload, "undecodable connection notice")
        }
        guard let completion = state.withLock({ $0.pending.removeValue(forKey: header.requestID) }) else {
            return // its task was cancelled; the reply is dropped
        }
        completion(.success((header, payload)))
    }

    private func failAll(with error: any Error) {
        let pending = state.withLock { state in
            let all = state.pending
            state.pending = [:]
            return all
        }
        for (_, completion) in pending { completion(.failure(error)) }
    }

    private func finish() {
        writeLock.withLock { isClosed in
            if !isClosed {
                UnixSocket.closeDescriptor(fd)
                isClosed = true
            }
        }
    }
}

/// An async client of `loopdesk-core` over its Unix socket (`docs/PROTOCOL.md`).
///
/// One client is one connection, meant to be created once and shared: any
/// number of tasks may call it at the same time, and their requests are
/// pipelined on the socket and matched to replies by request id, whatever
/// order the server answers in.
///
/// ```swift
/// let core = try await LoopdeskClient.connect(socketPath: "/run/loopdesk/core.sock")
/// try await core.createCollection(name: "kb", dimension: 384, existOK: true)
/// let hits = try await core.search(collection: "kb", query: embedding, k: 10)
/// ```
///
/// Errors: a request the server refuses throws the server's ``WireError``
/// (its ``WireError/code`` tells what was wrong); when the connection drops,
/// every request in flight, and every later one, throws a ``ConnectionError``.
/// A dropped client does not reconnect: create a new one.
public final class LoopdeskClient: Sendable {
    private let connection: ClientConnection
    /// The server's `HELLO` reply: negotiated version, limits and name.
    public let server: HelloResponse

    private init(connection: ClientConnection, server: HelloResponse) {
        self.connection = connection
        self.server = server
    }

    /// Connects to the server at `socketPath` and performs the `HELLO` handshake.
    /// - Parameters:
    ///   - socketPath: the path given to `loopdesk-core serve --socket`.
    ///   - clientName: shown in the server's logs.
    /// - Returns: a connected client.
    /// - Throws: ``ConnectionError/connectFailed(path:errno:)`` when nothing listens
    ///   there, ``ConnectionError/handshakeFailed(_:)`` when the server refuses this
    ///   protocol version.
    public static func connect(socketPath: String, clientName: String = "LoopdeskClient") async throws -> LoopdeskClient {
        let connection = try ClientConnection(path: socketPath)
        let reply: Result<HelloResponse, WireError>
        do {
            reply = .success(try await send(Exchange.hello(clientName: clientName), on: connection))
        } catch let error as WireError {
            reply = .failure(error)
        } catch {
            connection.shutdown(reason: error)
            throw error
        }
        do {
            let hello = try Exchange.checkHello(reply)
            connection.maxPayloadLength.withLock { $0 = min(hello.maxPayloadLength, WireProtocol.maxPayloadLength) }
            return LoopdeskClient(connection: connection, server: hello)
        } catch {
            connection.shutdown(reason: ConnectionError.closed("handshake failed"))
            throw error
        }
    }

    deinit {
        connection.shutdown(reason: ConnectionError.closed("the client was released"))
    }

    /// Closes the connection. Requests in flight fail with ``ConnectionError/closed(_:)``.
    public func close() {
        connection.shutdown(reason: ConnectionError.closed("closed by the client"))
    }

    /// Whether the connection is still usable.
    public var isConnected: Bool { connection.isOpen }

    /// Sends any request and waits for its reply. The typed methods below
    /// call this; use it directly for requests they do not cover.
    ///
    /// If the calling task is cancelled while waiting, the call throws
    /// `CancellationError` at once and a late reply is dropped (the server
    /// still executes the request).
    /// - Returns: the server's reply.
    /// - Throws: ``WireError`` (the server's, or a local ``ErrorCode/invalidArgument``
    ///   or ``ErrorCode/frameTooLarge`` before sending), ``ConnectionError``, `CancellationError`.
    public func send<R: WireRequest>(_ request: R) async throws -> R.Response {
        try await Self.send(request, on: connection)
    }

    private static func send<R: WireRequest>(_ request: R, on connection: ClientConnection) async throws -> R.Response {
        let id = connection.nextRequestID()
        let frame = try Exchange.frame(request, requestID: id,
                                       maxPayloadLength: connection.maxPayloadLength.withLock { $0 })
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R.Response, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                connection.send(frame, requestID: id) { outcome in
                    switch outcome {
                    case .failure(let error):
                        continuation.resume(throwing: error)
                    case .success(let (header, payload)):
                        do throws(ConnectionError) {
                            continuation.resume(with: try Exchange.reply(to: R.self, header: header, payload: payload))
                        } catch {
                            continuation.resume(throwing: error)
                            connection.shutdown(reason: error)
                        }
                    }
                }
            }
        } onCancel: {
            connection.abandon(id, with: CancellationError())
        }
    }
}

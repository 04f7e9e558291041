import Primitives

/// Why a client could not reach the server or lost its connection.
///
/// Errors the *server* reports about a request are ``WireError``s instead;
/// this type is for the transport: every request in flight when the
/// connection drops fails with ``closed(_:)``.
public enum ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `socket(2)` or `connect(2)` failed; `errno` says why (ENOENT: no server at that path).
    case connectFailed(path: String, errno: Int32)
    /// The connection is closed: by ``LoopdeskClient/close()``, by the server, or after an I/O error.
    case closed(String)
    /// A system call on the open connection failed.
    case ioFailed(operation: String, errno: Int32)
    /// The server sent bytes that break the protocol (bad header, reply of the
    /// wrong kind, undecodable payload); the client closed the connection.
    case protocolViolation(WireError)
    /// The server's `HELLO` reply refused or did not match this client's protocol.
    case handshakeFailed(WireError)

    /// One line for logs and CLI errors; for a refused or missing socket it
    /// adds a hint to start `loopdesk-core serve --socket PATH`.
    public var description: String {
        switch self {
        case .connectFailed(let path, let code):
            "cannot connect to \(path): \(Self.text(code))" + (code == ENOENT || code == ECONNREFUSED
                ? " (is loopdesk-core serve running with --socket \(path)?)" : "")
        case .closed(let why): "connection closed: \(why)"
        case .ioFailed(let operation, let code): "\(operation) failed: \(Self.text(code))"
        case .protocolViolation(let error): "server broke the protocol, connection closed: \(error)"
        case .handshakeFailed(let error): "handshake failed: \(error)"
        }
    }

    static func text(_ code: Int32) -> String {
        guard let cString = strerror(code) else { return "errno \(code)" }
        return String(cString: cString) + " (errno \(code))"
    }
}

import Foundation
import Primitives
import Wire

/// Why the server could not start listening.
public enum ListenerError: Error, CustomStringConvertible, Sendable {
    /// Another process accepts connections on the socket path.
    case socketInUse(path: String)
    /// The path exists and is not a socket: the server will not delete it.
    case notASocket(path: String)
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)

    /// The failure in words, naming the socket path (and the errno text for a failed system call).
    public var description: String {
        switch self {
        case .socketInUse(let path):
            "\(path) is live: another loopdesk-core is serving on it; stop it or choose another --socket"
        case .notASocket(let path):
            "\(path) exists and is not a socket; remove it or choose another --socket"
        case .system(let operation, let path, let code):
            "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// The listening socket's life: refuse a live socket, replace a stale one,
/// bind with the configured mode, accept, check the peer, and unlink on close.
final class Listener: @unchecked Sendable {
    let path: String
    let fd: Int32
    private var inode: ino_t = 0

    /// Checks the path, binds, sets the file mode, then listens.
    ///
    /// The mode is set between `bind` and `listen`: no client can connect
    /// before the permissions are in place.
    /// - Throws: ``ListenerError``.
    init(path: String, mode: UInt32, backlog: Int32 = 128) throws {
        self.path = path
        try Self.removeIfStale(path)
        var address: sockaddr_un
        do { address = try UnixSocket.address(path) } catch {
            throw ListenerError.system(operation: "address", path: path, errno: ENAMETOOLONG)
        }
        let fd = socket(AF_UNIX, UnixSocket.streamType, 0)
        guard fd >= 0 else { throw ListenerError.system(operation: "socket", path: path, errno: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw code == EADDRINUSE ? ListenerError.socketInUse(path: path) : ListenerError.system(operation: "bind", path: path, errno: code)
        }
        guard chmod(path, mode_t(mode)) == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            unlink(path)
            throw ListenerError.system(operation: "chmod/listen", path: path, errno: code)
        }
        self.fd = fd
        var info = stat()
        if stat(path, &info) == 0 { inode = info.st_ino }
    }

    /// Refuses a live socket; unlinks a stale one (nothing accepts on it).
    static func removeIfStale(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw ListenerError.notASocket(path: path) }
        if let fd = try? UnixSocket.connect(path: path) {
            UnixSocket.closeDescriptor(fd)
            throw ListenerError.socketInUse(path: path)
        }
        unlink(path)
    }

    /// Waits for the next connection.
    /// - Returns: the connected socket, or nil once the listener is shut down.
    func accept() -> Int32? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                return client
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                usleep(10_000) // out of descriptors: let connections close, then go on
            default: return nil
            }
        }
    }

    /// The peer process's uid (`SO_PEERCRED`), or nil when the system does not say.
    static func peerUID(_ fd: Int32) -> UInt32? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.1
    }

    /// Sends a connection notice (request id 0, §3.4) and closes `fd`.
    static func refuse(_ fd: Int32, _ error: WireError) {
        let frame = ErrorPayload.frame(error, kind: .notice, requestID: 0)
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        // Half-close, then drop what the client had already sent, so it reads the notice rather than a reset.
        _ = shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        while recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
        close(fd)
    }

    /// Stops accepting: a thread blocked in ``accept()`` returns nil. The
    /// accepting thread closes the descriptor (``closeDescriptor()``) once it
    /// is out of `accept`, so its number cannot be reused under it.
    func stopAccepting() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Closes the listening descriptor; called by the accepting thread as it ends.
    func closeDescriptor() {
        Glibc.close(fd)
    }

    /// Removes the socket file if it is still the one this listener bound
    /// (not a successor's that replaced it).
    func removeSocketFile() {
        var info = stat()
        if stat(path, &info) == 0 && info.st_ino == inode { unlink(path) }
    }
}

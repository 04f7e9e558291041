import Primitives

/// The few blocking POSIX calls the clients (and the server, `CoreServer`)
/// need on a Unix stream socket. Public so that the daemon and the tools
/// share one copy of them instead of each wrapping `sockaddr_un` again.
public enum UnixSocket {
    /// Fills a `sockaddr_un` for `path`.
    /// - Throws: ``ConnectionError/connectFailed(path:errno:)`` with ENAMETOOLONG when the path does not fit.
    public static func address(_ path: String) throws(ConnectionError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .connectFailed(path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { dst in
            dst.copyBytes(from: path.utf8)
            dst[path.utf8.count] = 0
        }
        return address
    }

    /// Opens a listening stream socket at `path`, replacing any file there.
    /// For test and benchmark servers; the real server checks for a live socket first.
    /// - Throws: ``ConnectionError/ioFailed(operation:errno:)``.
    public static func listen(path: String, backlog: Int32 = 64) throws(ConnectionError) -> Int32 {
        var address = try self.address(path)
        unlink(path)
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw .ioFailed(operation: "socket", errno: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, posixListen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw .ioFailed(operation: "bind/listen \(path)", errno: code)
        }
        return fd
    }

    #if canImport(Darwin)
    /// The `type` argument of `socket(2)`: plain `SOCK_STREAM` (Darwin has no
    /// `SOCK_CLOEXEC` flag for `socket(2)`).
    public static let streamType = SOCK_STREAM
    #else
    /// The `type` argument of `socket(2)`: `SOCK_STREAM | SOCK_CLOEXEC`, so
    /// the descriptor is not inherited by a child process the caller spawns.
    public static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    #endif

    /// Opens a stream socket connected to `path`.
    /// - Throws: ``ConnectionError/connectFailed(path:errno:)``.
    public static func connect(path: String) throws(ConnectionError) -> Int32 {
        var address = try self.address(path)
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw .connectFailed(path: path, errno: errno) }
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                posixConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw .connectFailed(path: path, errno: code)
        }
        return fd
    }

    /// Writes all of `bytes`, retrying on partial writes and EINTR; never raises SIGPIPE.
    /// - Throws: ``ConnectionError/ioFailed(operation:errno:)``.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(ConnectionError) {
        let failure: Int32 = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                #if canImport(Darwin)
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, 0)
                #else
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #endif
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return n < 0 ? errno : EPIPE
                }
            }
            return 0
        }
        if failure != 0 { throw .ioFailed(operation: "send", errno: failure) }
    }

    /// Shuts both directions down: a thread blocked in `read` or `send` on `fd` returns.
    public static func shutdown(_ fd: Int32) {
        _ = posixShutdown(fd)
    }

    /// Closes `fd`.
    public static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// Reads what is available (blocking until at least one byte) into the decoder.
    /// - Returns: the number of bytes read; 0 at end of stream.
    /// - Throws: ``ConnectionError/ioFailed(operation:errno:)``.
    public static func receive(_ fd: Int32, into decoder: inout FrameDecoder) throws(ConnectionError) -> Int {
        while true {
            let n = decoder.receive { buffer in read(fd, buffer.baseAddress, buffer.count) }
            if n >= 0 { return n }
            if errno != EINTR { throw .ioFailed(operation: "read", errno: errno) }
        }
    }
}

/// `connect(2)`, named apart from ``UnixSocket/connect(path:)``.
@inline(__always)
private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

/// `shutdown(2)`, named apart from ``UnixSocket/shutdown(_:)``.
@inline(__always)
private func posixShutdown(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
    shutdown(fd, SHUT_RDWR)
    #else
    shutdown(fd, Int32(SHUT_RDWR))
    #endif
}

/// `listen(2)`, named apart from ``UnixSocket/listen(path:backlog:)``.
@inline(__always)
private func posixListen(_ fd: Int32, _ backlog: Int32) -> Int32 {
    listen(fd, backlog)
}

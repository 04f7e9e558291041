#if canImport(Glibc)
import Glibc
#endif

/// Writes every byte to a connected socket, or stops at the first failure (the peer gone): never
/// raises SIGPIPE, so a fake whose client has given up does not kill the test process.
/// The one write loop of the test doubles (``FakeHTTPServer``, ``FakeCoreServer``).
func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            if n <= 0 { return }
            offset += n
        }
    }
}

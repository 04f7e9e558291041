import Foundation
import Primitives
import Wire

/// One thread that writes the buffered replies of every connection whose
/// socket was full, as the sockets drain (`poll(2)` for `POLLOUT`), and
/// disconnects those that make no progress for `writeStallTimeout`.
///
/// Connections whose clients read promptly never meet it: their replies go
/// out directly from the thread that produced them.
final class OutputFlusher: @unchecked Sendable {
    private let watched = Locked<[ObjectIdentifier: Connection]>([:])
    /// A pipe whose read end wakes `poll` when a connection is added or the flusher stops.
    private let wake: (read: Int32, write: Int32)
    private let stallTimeout: Double
    private let stopped = Locked(false)

    init(stallTimeout: Double) {
        self.stallTimeout = stallTimeout
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "pipe(2) failed: errno \(errno)")
        for end in ends {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wake = (ends[0], ends[1])
        startThread("ldcore-flush") { [self] in self.loop() }
    }

    /// Starts writing `connection`'s pending output as its socket drains.
    func watch(_ connection: Connection) {
        let added = watched.withLock { $0.updateValue(connection, forKey: ObjectIdentifier(connection)) == nil }
        if added { poke() }
    }

    /// Stops watching a connection that is closing.
    func forget(_ connection: Connection) {
        watched.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Ends the thread.
    func stop() {
        stopped.withLock { $0 = true }
        poke()
    }

    private func poke() {
        var one: UInt8 = 1
        _ = write(wake.write, &one, 1)
    }

    private func loop() {
        while !stopped.withLock({ $0 }) {
            let connections = watched.withLock { Array($0.values) }
            var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), 100)
            if fds[0].revents != 0 {
                var drained = [UInt8](repeating: 0, count: 64)
                while read(wake.read, &drained, drained.count) > 0 {}
            }
            let now = Monotonic.now()
            for (i, connection) in connections.enumerated() {
                if fds[i + 1].revents != 0 && !connection.flushPending() {
                    forget(connection)
                } else if connection.isStalled(now: now, timeout: stallTimeout) {
                    connection.abortStalled(after: stallTimeout)
                    forget(connection)
                }
            }
        }
        close(wake.read)
        close(wake.write)
    }
}

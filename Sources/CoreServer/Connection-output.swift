import Primitives
import Wire

/// The write side of a connection: replies go straight to the socket when it
/// takes them, and are buffered (bounded) when it does not.
///
/// Every send is non-blocking, so a client that stops reading can never
/// block a worker or another connection: its replies wait in `pending`, the
/// ``OutputFlusher`` writes them as the socket drains, the connection stops
/// reading new requests beyond `outputHighWater`, and a connection whose
/// output makes no progress for `writeStallTimeout` is disconnected.
extension Connection {
    /// Sends `bytes` after any pending output. Call with `state` locked.
    func enqueueLocked(_ bytes: [UInt8]) {
        guard !broken, !bytes.isEmpty else { return }
        if pending.count > pendingStart {
            pending.append(contentsOf: bytes)
            return
        }
        let sent = bytes.withUnsafeBytes { sendSome($0) }
        guard let sent else { return }
        if sent < bytes.count {
            pending = Array(bytes[sent...])
            pendingStart = 0
            lastProgress = Monotonic.now()
            context.flusher.watch(self)
        }
    }

    /// Writes as much pending output as the socket takes now (the flusher calls this).
    /// - Returns: whether output remains.
    func flushPending() -> Bool {
        state.lock()
        defer { state.unlock() }
        guard !broken, pending.count > pendingStart else { return false }
        let start = pendingStart
        let sent = pending.withUnsafeBytes { sendSome(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        guard let sent else { return false }
        if sent > 0 {
            pendingStart += sent
            lastProgress = Monotonic.now()
            if pendingStart == pending.count {
                pending = []
                pendingStart = 0
            } else if pendingStart > 1 << 20 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            state.broadcast()
        }
        return pending.count > pendingStart
    }

    /// Disconnects a client whose output stalled (it does not read its replies).
    func abortStalled(after seconds: Double) {
        state.lock()
        defer { state.unlock() }
        guard !broken else { return }
        logger.warning("disconnecting a client that does not read its replies",
                       metadata: ["unsent_bytes": "\(pending.count - pendingStart)", "stalled_seconds": "\(seconds)"])
        markBrokenLocked()
    }

    /// Whether pending output has made no progress for `timeout` seconds.
    func isStalled(now: UInt64, timeout: Double) -> Bool {
        state.withLock { !broken && pending.count > pendingStart && Double(now &- lastProgress) / 1e9 > timeout }
    }

    /// Sends without blocking. Returns the bytes taken, or nil when the socket failed (then marked broken).
    private func sendSome(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return offset
            } else {
                markBrokenLocked()
                return nil
            }
        }
        return offset
    }

    /// Stops all I/O on the socket: blocked reads return, waiters wake. Call with `state` locked.
    func markBrokenLocked() {
        broken = true
        pending = []
        pendingStart = 0
        _ = shutdown(fd, Int32(SHUT_RDWR))
        state.broadcast()
    }
}

import NIOCore
import Primitives

/// Every open HTTP connection of one server and what it is doing, so that a cap on
/// connections makes room for a client that talks instead of locking it out.
///
/// The design: at most ``capacity`` connections are open. When a new one arrives at the cap,
/// the registry closes one that is not being served — first the connection that has waited
/// longest for its next request (an idle keep-alive), then the one that has taken longest to
/// send the request it started (a slow or stalled client) — and admits the newcomer. Only
/// when every open connection has sent a whole request and is waiting for its response is
/// the newcomer closed at once. So strangers that connect and send nothing, or send slowly,
/// can neither exhaust the server nor shut out a client that sends its request promptly; and
/// ``ConnectionGuardHandler`` closes them anyway after the idle timeout.
///
/// Thread-safe: each connection reports from its own event loop.
final class ConnectionRegistry: Sendable {
    /// What a connection is doing, as far as the cap cares.
    enum Phase: Sendable {
        /// Open, no request in progress: before its first request or between two.
        case idle
        /// It has started a request (its head, or a body not finished).
        case receiving
        /// It has sent whole requests and waits for the responses: never closed to make room.
        case serving
    }

    /// The registry's answer to a new connection.
    enum Admission {
        /// Open it, after closing these to make room.
        case admitted(closing: [any Channel])
        /// Every slot is serving a request: close the new connection.
        case refused
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        /// When it entered its phase: the order in which idle and receiving ones are closed.
        var since: NIODeadline
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var evicted = 0
        var refused = 0
        var timedOut = 0
    }

    /// The most connections open at once.
    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Registers a new connection, choosing the ones to close when the cap is reached.
    func admit(_ channel: any Channel) -> Admission {
        state.withLock { state in
            let id = ObjectIdentifier(channel)
            var closing: [any Channel] = []
            while state.entries.count >= capacity {
                let candidates = state.entries.filter { $0.key != id && $0.value.phase != .serving }
                let victim = candidates.min { a, b in
                    let (x, y) = (a.value, b.value)
                    if (x.phase == .idle) != (y.phase == .idle) { return x.phase == .idle }
                    return x.since < y.since
                }
                guard let victim else {
                    state.refused += 1
                    return .refused
                }
                state.entries[victim.key] = nil
                state.evicted += 1
                closing.append(victim.value.channel)
            }
            state.entries[id] = Entry(channel: channel, phase: .idle, since: .now())
            return .admitted(closing: closing)
        }
    }

    /// Records that a connection's phase changed.
    func update(_ channel: any Channel, phase: Phase) {
        state.withLock { state in
            let id = ObjectIdentifier(channel)
            guard state.entries[id] != nil, state.entries[id]?.phase != phase else { return }
            state.entries[id]?.phase = phase
            state.entries[id]?.since = .now()
        }
    }

    /// Forgets a closed connection.
    func remove(_ channel: any Channel) {
        state.withLock { _ = $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Counts a connection closed by the idle timeout.
    func countTimeout() {
        state.withLock { $0.timedOut += 1 }
    }

    /// Open connections, and how many were closed to make room, refused at the cap, or timed out.
    var statistics: (open: Int, evicted: Int, refused: Int, timedOut: Int) {
        state.withLock { ($0.entries.count, $0.evicted, $0.refused, $0.timedOut) }
    }
}

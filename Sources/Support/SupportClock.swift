import Foundation

/// Where the service reads the time. The server uses ``SystemClock``; the
/// replay harness advances a ``SimulatedClock`` through its simulated days.
public protocol SupportClock: Sendable {
    var now: Date { get }
}

/// The wall clock.
public struct SystemClock: SupportClock {
    /// The wall clock.
    public init() {}
    /// The current time.
    public var now: Date { Date() }
}

/// A clock that only moves when told to.
public final class SimulatedClock: SupportClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// A clock standing at `start`.
    public init(start: Date) { current = start }

    /// The time it was last set to.
    public var now: Date { lock.withLock { current } }

    /// Sets the time (never backwards).
    public func set(_ date: Date) { lock.withLock { current = max(current, date) } }

    /// Moves the time forward.
    public func advance(by seconds: TimeInterval) { lock.withLock { current += max(0, seconds) } }
}

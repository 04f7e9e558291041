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

/// The wall clock moved to start at another date: it runs at real speed from `start`. For a
/// service continuing a replay's history (`loopdesk up --clock-from`, the demo), so that "the
/// last 30 days" of its reports are the replay's last days and what is asked now follows them.
public struct ShiftedClock: SupportClock {
    /// Added to the wall clock.
    public let offset: TimeInterval

    /// A clock that reads `start` now and runs on from there.
    public init(start: Date) { offset = start.timeIntervalSinceNow }

    /// The wall clock plus the offset.
    public var now: Date { Date().addingTimeInterval(offset) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The few facts about the host the server reads: cores and a monotonic clock.
enum System {
    /// Online cores, for sizing the worker pool.
    static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`, a vDSO call: about 20 ns).
enum Monotonic {
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: UInt64) -> Double { Double(now() &- start) / 1e9 }
}

/// Starts a detached OS thread named `name` (visible in `top -H`).
///
/// The server's connections and workers are plain threads rather than tasks
/// because they block in `read(2)` and in the index: blocking the Swift
/// concurrency pool would starve it (docs/ARCHITECTURE.md, "Concurrency model").
func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread { body() }
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
}

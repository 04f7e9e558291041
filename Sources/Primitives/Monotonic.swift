/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`, a vDSO call: about 20 ns),
/// for latencies, timeouts and benchmarks: it never jumps with the wall clock.
public enum Monotonic {
    /// Nanoseconds since an arbitrary fixed point (the boot, on Linux).
    @inlinable @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Seconds elapsed since `start`, a value of ``now()``.
    @inlinable
    public static func seconds(since start: UInt64) -> Double { Double(now() &- start) / 1e9 }
}

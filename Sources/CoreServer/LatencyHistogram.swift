/// A fixed-size log-linear histogram of durations in nanoseconds, for the
/// percentiles in `STATS`.
///
/// Each power of two is split into 16 linear sub-buckets, so a reported
/// percentile is within about 3 % of the true value, from 1 ns to hours, in
/// 1 KiB of counters and with no allocation when recording. Not thread-safe:
/// ``ServerStats`` guards it.
struct LatencyHistogram {
    private static let subBucketBits = 4
    private static let subBuckets = 1 << subBucketBits
    private var counts = [UInt64](repeating: 0, count: 64 * subBuckets)
    private(set) var total: UInt64 = 0
    private(set) var maxValue: UInt64 = 0

    /// The bucket of `value`: its power of two, then the next 4 bits below the top bit.
    @inline(__always)
    private static func bucket(_ value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - subBucketBits
        let sub = Int((value >> UInt64(shift)) & UInt64(subBuckets - 1))
        return (shift + 1) * subBuckets + sub
    }

    /// The middle of a bucket's range, as the value reported for it.
    private static func representative(_ bucket: Int) -> Double {
        if bucket < subBuckets { return Double(bucket) }
        let shift = bucket / subBuckets - 1
        let sub = bucket % subBuckets
        let low = Double(UInt64(subBuckets + sub) << UInt64(shift))
        return low + Double(UInt64(1) << UInt64(shift)) / 2
    }

    /// Records one duration.
    mutating func record(_ nanoseconds: UInt64) {
        counts[Self.bucket(nanoseconds)] &+= 1
        total &+= 1
        if nanoseconds > maxValue { maxValue = nanoseconds }
    }

    /// The value below which `fraction` of the recorded durations fall (0 when empty).
    func percentile(_ fraction: Double) -> Double {
        guard total > 0 else { return 0 }
        let rank = max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for (bucket, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= rank { return min(Self.representative(bucket), Double(maxValue)) }
        }
        return Double(maxValue)
    }
}

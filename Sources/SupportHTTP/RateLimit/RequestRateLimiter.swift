import Primitives

/// How many requests one credential may make: a ``TokenBucket`` per token, dashboard session
/// or (without either) client address.
public struct RequestRateLimit: Sendable, Equatable {
    /// Requests per second, sustained.
    public var requestsPerSecond: Double
    /// Requests at once above that, after a quiet spell.
    public var burst: Int

    /// A limit of `requestsPerSecond` on average with bursts of `burst`.
    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }

    /// The default: 100 requests per second, bursts of 200 — far above what one helpdesk
    /// integration sends, well below what would starve other clients of the embedder.
    public static let standard = RequestRateLimit(requestsPerSecond: 100, burst: 200)
}

/// The buckets of every credential seen recently, bounded in number.
///
/// At most ``maxKeys`` buckets are kept: a bucket that has refilled is forgotten first (its
/// client has been quiet), then the one used longest ago, so a flood of made-up credentials
/// cannot grow memory without bound. Thread-safe.
final class RequestRateLimiter: Sendable {
    let limit: RequestRateLimit
    /// Buckets kept at once.
    let maxKeys: Int
    private let buckets = Locked([String: TokenBucket]())

    init(limit: RequestRateLimit, maxKeys: Int = 10_000) {
        self.limit = limit
        self.maxKeys = max(1, maxKeys)
    }

    /// Takes a token from `key`'s bucket.
    /// - Returns: nil when the request may go ahead, else how long the client should wait.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let rate = max(limit.requestsPerSecond, 1e-9)
        let burst = Double(max(limit.burst, 1))
        return buckets.withLock { buckets in
            if buckets[key] == nil {
                if buckets.count >= maxKeys { Self.makeRoom(&buckets, rate: rate, burst: burst, now: now) }
                buckets[key] = TokenBucket(burst: burst, now: now)
            }
            return buckets[key]?.take(rate: rate, burst: burst, now: now)
        }
    }

    /// Buckets kept now.
    var keyCount: Int { buckets.withLock { $0.count } }

    private static func makeRoom(_ buckets: inout [String: TokenBucket], rate: Double, burst: Double, now: ContinuousClock.Instant) {
        let full = buckets.filter { $0.value.isFull(rate: rate, burst: burst, now: now) }.map(\.key)
        for key in full { buckets[key] = nil }
        if full.isEmpty, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets[oldest] = nil
        }
    }
}

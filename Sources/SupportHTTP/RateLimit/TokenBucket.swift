/// A token bucket: `burst` requests at once, then `rate` per second on average.
///
/// It holds up to `burst` tokens and refills continuously at `rate` per second; each request
/// takes one. A client that keeps under the rate is never refused; one that goes over is told
/// how long until its next token.
struct TokenBucket: Sendable {
    /// Tokens left, fractional while refilling.
    private(set) var tokens: Double
    /// When `tokens` was last brought up to date.
    private(set) var updated: ContinuousClock.Instant

    /// A full bucket.
    init(burst: Double, now: ContinuousClock.Instant) {
        tokens = burst
        updated = now
    }

    /// Takes a token if there is one.
    /// - Returns: nil when the request may go ahead, else how long until a token is there.
    mutating func take(rate: Double, burst: Double, now: ContinuousClock.Instant) -> Duration? {
        refill(rate: rate, burst: burst, now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / rate)
    }

    /// Whether the bucket has refilled completely (its client has been quiet), so it can be forgotten.
    func isFull(rate: Double, burst: Double, now: ContinuousClock.Instant) -> Bool {
        var copy = self
        copy.refill(rate: rate, burst: burst, now: now)
        return copy.tokens >= burst
    }

    private mutating func refill(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        let elapsed = updated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if seconds > 0 {
            tokens = min(burst, tokens + seconds * rate)
            updated = now
        }
    }
}

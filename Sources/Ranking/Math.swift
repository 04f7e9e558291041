import Primitives

// The few libm functions the ranker needs, in one place.

/// ln(1 + v), exact near 0.
@inline(__always) func lnOnePlus(_ v: Double) -> Double { log1p(v) }

/// ln(1 + v) in single precision: enough for a feature stored as `Float`, and cheaper.
@inline(__always) func lnOnePlus(_ v: Float) -> Float { log1pf(v) }

/// The logistic function, with the logit clamped to ±35 so neither tail
/// rounds to exactly 0 or 1.
@inline(__always) func sigmoid(_ logit: Double) -> Double {
    let t = min(35, max(-35, logit))
    return 1 / (1 + exp(-t))
}

import Primitives

// The few libm functions the ranker needs, in one place.

/// ln(1 + v), exact near 0.
@inline(__always) func lnOnePlus(_ v: Double) -> Double { log1p(v) }

/// ln(1 + v) in single precision for v ≥ 0, as `logf(1 + v)`: enough for a
/// feature stored as `Float` (off by under 1e-7 where v is near 0 and
/// `1 + v` rounds), and several times cheaper than `log1pf` — a `RANK` takes
/// one per candidate group (RESULTS.md, "RANK in the core: one grouping").
@inline(__always) func lnOnePlus(_ v: Float) -> Float { logf(1 + v) }

/// The logistic function, with the logit clamped to ±35 so neither tail
/// rounds to exactly 0 or 1.
@inline(__always) func sigmoid(_ logit: Double) -> Double {
    let t = min(35, max(-35, logit))
    return 1 / (1 + exp(-t))
}

/// Training the int8 storage's scalar quantizer on the first batch inserted.
extension HNSWIndex {
    /// Per-dimension ranges from up to 100 000 of `vectors`; the fallback range
    /// (for too few vectors) is the metric's natural one: [-1, 1] for cosine,
    /// else twice the largest magnitude seen.
    func trainQuantizer(_ vectors: UnsafePointer<Float>, count: Int) -> ScalarQuantizer {
        var maxAbs: Float = 0
        for i in 0..<(count * parameters.dimension) { maxAbs = max(maxAbs, abs(vectors[i])) }
        let fallback: ClosedRange<Float> = parameters.metric == .cosine ? -1...1 : -(2 * max(maxAbs, 1e-3))...(2 * max(maxAbs, 1e-3))
        return ScalarQuantizer(training: vectors, count: min(count, 100_000), dimension: parameters.dimension, fallbackRange: fallback)
    }
}

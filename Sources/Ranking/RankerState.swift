/// Everything a ranker has learned and logged: the unit of encoding and of
/// replay. Guarded by ``Ranker``'s lock.
struct RankerState: Equatable {
    var configuration: RankerConfiguration
    var ftrl: FTRLProximal
    var posterior: LinearPosterior
    var histories = GroupTable<OutcomeHistory>()
    var impressions: ImpressionStore
    /// Feedback records applied.
    var updates: UInt64 = 0
    /// Non-zero FTRL coordinate steps taken.
    var coordinateUpdates: UInt64 = 0
    /// Applied feedback per ``Outcome/kind``, in ``Outcome/kinds`` order.
    var feedbackCounts = [UInt64](repeating: 0, count: Outcome.kinds.count)
    /// Sum and count of the feature vectors learned from, for the feature means.
    var featureSums = [Double](repeating: 0, count: FeatureSchema.dimension)
    var featureCount: UInt64 = 0

    /// A fresh state whose model ranks by cosine similarity.
    init(configuration: RankerConfiguration) {
        self.configuration = configuration
        var initial = [Double](repeating: 0, count: FeatureSchema.dimension)
        initial[FeatureSchema.bias] = configuration.initialBias
        initial[FeatureSchema.bestSimilarity] = configuration.initialSimilarityWeight
        ftrl = FTRLProximal(parameters: configuration.ftrl, initialWeights: initial, l1Exempt: [FeatureSchema.bias])
        posterior = LinearPosterior(dimension: FeatureSchema.dimension, parameters: configuration.posterior)
        impressions = ImpressionStore(maxCount: configuration.maxImpressions, maxAge: configuration.maxImpressionAge)
    }

    init(configuration: RankerConfiguration, ftrl: FTRLProximal, posterior: LinearPosterior, impressions: ImpressionStore) {
        self.configuration = configuration
        self.ftrl = ftrl
        self.posterior = posterior
        self.impressions = impressions
    }
}

/// An immutable copy of what scoring needs, published after every update so
/// that `rank` scores without holding the lock (copy-on-write arrays make
/// publishing free; the next update pays one copy of ~8 KB).
final class ModelView: Sendable {
    let weights: [Double]
    let cholesky: [Double]
    /// FTRL's per-coordinate iterate variance (``FTRLProximal/iterateVariance``).
    let iterateVariance: [Double]
    let alpha: Double

    init(_ state: RankerState) {
        weights = state.ftrl.weights
        cholesky = state.posterior.cholesky
        iterateVariance = state.ftrl.iterateVariance
        alpha = state.configuration.posterior.alpha
    }

    /// w·x, summed in four interleaved partial sums (slots i mod 4), so the
    /// additions do not wait on one another: a ranking takes one per candidate group.
    @inline(__always) func logit(_ x: UnsafeBufferPointer<Float>) -> Double {
        weights.withUnsafeBufferPointer { w in
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = 0
            while i + 4 <= x.count {
                s0 += w[i] * Double(x[i])
                s1 += w[i + 1] * Double(x[i + 1])
                s2 += w[i + 2] * Double(x[i + 2])
                s3 += w[i + 3] * Double(x[i + 3])
                i += 4
            }
            while i < x.count {
                s0 += w[i] * Double(x[i])
                i += 1
            }
            return (s0 + s1) + (s2 + s3)
        }
    }

    /// The score and its interval for features `x`: the logit's variance is
    /// the posterior's xᵀA⁻¹x (what the data pins down) plus Σ vᵢxᵢ² (how far
    /// the online iterate wanders around it); see docs/RANKING.md, "Uncertainty".
    func score(_ x: UnsafeBufferPointer<Float>, logit: Double? = nil) -> ScoreInterval {
        let v = cholesky.withUnsafeBufferPointer { LinearPosterior.variance(x, factor: $0.baseAddress!, x.count) }
        return interval(x, logit: logit ?? self.logit(x), posteriorVariance: v)
    }

    /// ``score(_:logit:)`` of `logits.count` feature vectors laid one after
    /// another in `xs` (``FeatureSchema/dimension`` values each), equal to
    /// scoring each alone; the posterior variances are computed together
    /// (``LinearPosterior/variances(_:count:factor:_:into:)``).
    func scores(_ xs: UnsafeBufferPointer<Float>, logits: [Double]) -> [ScoreInterval] {
        let d = FeatureSchema.dimension, n = logits.count
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { v in
            cholesky.withUnsafeBufferPointer {
                LinearPosterior.variances(xs, count: n, factor: $0.baseAddress!, d, into: v.baseAddress!)
            }
            return (0..<n).map { q in
                interval(UnsafeBufferPointer(rebasing: xs[(q * d)..<((q + 1) * d)]), logit: logits[q], posteriorVariance: v[q])
            }
        }
    }

    /// The interval around `logit` whose half-width is α·√(posterior variance + Σ vᵢxᵢ²).
    @inline(__always)
    private func interval(_ x: UnsafeBufferPointer<Float>, logit m: Double, posteriorVariance: Double) -> ScoreInterval {
        var v = posteriorVariance
        iterateVariance.withUnsafeBufferPointer { s in
            for i in 0..<x.count { v += s[i] * Double(x[i]) * Double(x[i]) }
        }
        let width = alpha * v.squareRoot()
        return ScoreInterval(probability: sigmoid(m), lower: sigmoid(m - width), upper: sigmoid(m + width),
                             logit: m, width: width)
    }
}

/// Logistic regression learned online with FTRL-Proximal.
///
/// Per coordinate i, with gradient gᵢ = ω(p − y)xᵢ of the weighted log loss
/// (McMahan et al. 2013, Algorithm 1, with the paper's names):
///
///     σᵢ = (√(nᵢ + gᵢ²) − √nᵢ) / α
///     zᵢ += gᵢ − σᵢ wᵢ
///     nᵢ += gᵢ²
///     wᵢ = 0                                           if |zᵢ| ≤ λ₁
///     wᵢ = −(zᵢ − sgn(zᵢ)λ₁) / ((β + √nᵢ)/α + λ₂)      otherwise
///
/// Weights are kept materialised (the vector is dense and short), and a
/// prior weight vector is planted in z with n = 0, which is how the
/// untrained model ranks by cosine similarity.
public struct FTRLProximal: Sendable, Equatable {
    /// α, β, λ₁, λ₂ and the weight clamp this learner steps with (``RankerConfiguration/ftrl``).
    public let parameters: RankerConfiguration.FTRL
    /// FTRL's z (accumulated adjusted gradients), one per coordinate.
    public private(set) var z: [Double]
    /// FTRL's n (accumulated squared gradients), one per coordinate.
    public private(set) var n: [Double]
    /// The current weights, derived from z and n.
    public private(set) var weights: [Double]
    /// Per-coordinate variance of the online iterate around the weights the
    /// data pins down: ηᵢ / 2 with ηᵢ = α / (β + √nᵢ) the coordinate's current
    /// step size. Constant-rate (preconditioned) SGD on a well-specified
    /// logistic loss, whose gradient noise matches its curvature, wanders in a
    /// stationary Gaussian of about that covariance (Mandt, Hoffman & Blei,
    /// "Stochastic Gradient Descent as Approximate Bayesian Inference", JMLR 2017).
    public private(set) var iterateVariance: [Double]
    /// Coordinates exempt from L1 (the bias).
    let l1Exempt: [Bool]

    /// A learner whose weights start at `initialWeights`.
    /// - Parameters:
    ///   - initialWeights: the prior weights (clamped to ±`maxAbsWeight`).
    ///   - l1Exempt: coordinates that L1 must not zero (the bias).
    public init(parameters: RankerConfiguration.FTRL, initialWeights: [Double], l1Exempt: Set<Int> = []) {
        self.parameters = parameters
        let d = initialWeights.count
        self.l1Exempt = (0..<d).map { l1Exempt.contains($0) }
        n = [Double](repeating: 0, count: d)
        z = [Double](repeating: 0, count: d)
        weights = z
        iterateVariance = [Double](repeating: parameters.alpha / (2 * parameters.beta), count: d)
        for i in 0..<d {
            let w = min(parameters.maxAbsWeight, max(-parameters.maxAbsWeight, initialWeights[i]))
            guard w != 0 else { continue }
            let l1 = self.l1Exempt[i] ? 0 : parameters.l1
            z[i] = -(w * (parameters.beta / parameters.alpha + parameters.l2) + (w > 0 ? l1 : -l1))
            weights[i] = weight(i)
        }
    }

    /// Restores a learner from its encoded z and n.
    init(parameters: RankerConfiguration.FTRL, z: [Double], n: [Double], l1Exempt: [Bool]) {
        self.parameters = parameters
        self.z = z
        self.n = n
        self.l1Exempt = l1Exempt
        weights = [Double](repeating: 0, count: z.count)
        iterateVariance = weights
        for i in 0..<z.count { weights[i] = weight(i); iterateVariance[i] = stepVariance(i) }
    }

    /// Number of coordinates; in a ``Ranker``, one per feature (``FeatureSchema/dimension``).
    public var dimension: Int { z.count }

    /// w·x.
    @inlinable public func logit(_ x: UnsafeBufferPointer<Float>) -> Double {
        var s = 0.0
        for i in 0..<x.count { s += weights[i] * Double(x[i]) }
        return s
    }

    /// One online step on the weighted log loss of (x, y).
    /// - Parameters:
    ///   - label: the target y in [0, 1] (soft labels allowed).
    ///   - weight: ω ≥ 0, the example's weight.
    ///   - undo: when given, receives what ``undo(_:)`` needs to take the step back.
    /// - Returns: the prediction p = σ(w·x) before the step, and the number
    ///   of coordinates updated (those with xᵢ ≠ 0).
    @discardableResult
    public mutating func update(_ x: UnsafeBufferPointer<Float>, label: Double, weight ω: Double,
                                undo: UnsafeMutablePointer<FTRLUndo>? = nil) -> (prediction: Double, coordinates: Int) {
        let p = sigmoid(logit(x))
        let g0 = ω * (p - label)
        var touched = 0
        if let undo { undo.pointee = FTRLUndo(dimension: x.count) }
        let alpha = parameters.alpha
        for i in 0..<x.count where x[i] != 0 {
            let g = g0 * Double(x[i])
            let zBefore = z[i], nBefore = n[i]
            let nAfter = nBefore + g * g
            let s = (nAfter.squareRoot() - nBefore.squareRoot()) / alpha
            z[i] = zBefore + g - s * weights[i]
            n[i] = nAfter
            weights[i] = self.weight(i)
            iterateVariance[i] = stepVariance(i)
            if let undo { undo.pointee.record(i, zBefore: zBefore, zAfter: z[i], nBefore: nBefore, nAfter: nAfter) }
            touched += 1
        }
        return (p, touched)
    }

    /// Takes back a step recorded in `record`.
    ///
    /// A coordinate nothing has touched since is restored bit for bit; one
    /// that later steps moved has the step's change subtracted, so the later
    /// steps stay. With no step in between, the learner is exactly as before
    /// the step.
    public mutating func undo(_ record: FTRLUndo) {
        for (k, i) in record.coordinates.enumerated() {
            let i = Int(i)
            let zBefore = record.values[4 * k], zAfter = record.values[4 * k + 1]
            let nBefore = record.values[4 * k + 2], nAfter = record.values[4 * k + 3]
            if z[i].bitPattern == zAfter.bitPattern { z[i] = zBefore } else { z[i] -= zAfter - zBefore }
            if n[i].bitPattern == nAfter.bitPattern { n[i] = nBefore } else { n[i] = max(0, n[i] - (nAfter - nBefore)) }
            weights[i] = weight(i)
            iterateVariance[i] = stepVariance(i)
        }
    }

    @inline(__always) func stepVariance(_ i: Int) -> Double {
        parameters.alpha / (2 * (parameters.beta + n[i].squareRoot()))
    }

    @inline(__always) func weight(_ i: Int) -> Double {
        let zi = z[i]
        let l1 = l1Exempt[i] ? 0 : parameters.l1
        if abs(zi) <= l1 { return 0 }
        let w = -(zi - (zi > 0 ? l1 : -l1)) / ((parameters.beta + n[i].squareRoot()) / parameters.alpha + parameters.l2)
        return min(parameters.maxAbsWeight, max(-parameters.maxAbsWeight, w))
    }
}

/// What one FTRL step changed, so that a `reopened` can take back a `resolved`.
public struct FTRLUndo: Sendable, Equatable {
    /// The coordinates the step touched.
    public internal(set) var coordinates: [UInt16] = []
    /// Per touched coordinate, in order: z before, z after, n before, n after.
    public internal(set) var values: [Double] = []

    /// An empty record, for ``FTRLProximal/update(_:label:weight:undo:)`` to fill.
    public init() {}

    init(dimension: Int) {
        coordinates.reserveCapacity(dimension)
        values.reserveCapacity(4 * dimension)
    }

    init(coordinates: [UInt16], values: [Double]) {
        self.coordinates = coordinates
        self.values = values
    }

    mutating func record(_ i: Int, zBefore: Double, zAfter: Double, nBefore: Double, nAfter: Double) {
        coordinates.append(UInt16(i))
        values.append(zBefore); values.append(zAfter); values.append(nBefore); values.append(nAfter)
    }
}

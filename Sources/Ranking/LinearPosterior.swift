import CSupport

/// The linear bandit posterior that gives each score its width.
///
/// A = λI + Σ c·x xᵀ is the precision of the weights (LinUCB's design
/// matrix; with c = ω·p(1 − p) it is the Laplace approximation of Bayesian
/// logistic regression's posterior precision). The variance of a candidate's
/// logit is xᵀA⁻¹x = ‖L⁻¹x‖², with A = L Lᵀ.
///
/// Why a rank-one Cholesky update rather than `dpotrf` on every update: the
/// update is O(d²) (≈1 000 flops at d = 32) against `dpotrf`'s O(d³/3) and a
/// LAPACK call, and keeps the factor exact in exact arithmetic. To stop
/// rounding from accumulating, the factor is recomputed from A with
/// LAPACKE's `dpotrf` every `refactorInterval` updates (A itself is kept, in
/// its lower triangle). Both happen at fixed update counts, so a replay
/// reproduces the factor bit for bit.
public struct LinearPosterior: Sendable, Equatable {
    /// Number of weights d; A and L are d × d.
    public let dimension: Int
    /// λ, α and the refactor interval (``RankerConfiguration/posterior``).
    public let parameters: RankerConfiguration.Posterior
    /// A, column-major; only the lower triangle is kept.
    public private(set) var precision: [Double]
    /// L with A = L Lᵀ, column-major lower triangle (upper is zero).
    public private(set) var cholesky: [Double]
    /// Updates since the factor was last recomputed by `dpotrf`.
    public private(set) var updatesSinceRefactor: Int = 0

    /// The prior: A = λI.
    public init(dimension: Int, parameters: RankerConfiguration.Posterior) {
        self.dimension = dimension
        self.parameters = parameters
        precision = [Double](repeating: 0, count: dimension * dimension)
        cholesky = precision
        for i in 0..<dimension {
            precision[i * dimension + i] = parameters.lambda
            cholesky[i * dimension + i] = parameters.lambda.squareRoot()
        }
    }

    init(dimension: Int, parameters: RankerConfiguration.Posterior, precision: [Double], cholesky: [Double],
         updatesSinceRefactor: Int) {
        self.dimension = dimension
        self.parameters = parameters
        self.precision = precision
        self.cholesky = cholesky
        self.updatesSinceRefactor = updatesSinceRefactor
    }

    /// A += c·x xᵀ, and the factor with it. Does nothing for c ≤ 0 or not finite.
    public mutating func update(_ x: UnsafeBufferPointer<Float>, weight c: Double) {
        guard c > 0, c.isFinite else { return }
        let d = dimension
        let r = c.squareRoot()
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { v in
            for i in 0..<d { v[i] = r * Double(x[i]) }
            precision.withUnsafeMutableBufferPointer { a in
                for j in 0..<d where v[j] != 0 {
                    let vj = v[j]
                    let col = a.baseAddress! + j * d
                    for i in j..<d { col[i] += v[i] * vj }
                }
            }
            updatesSinceRefactor += 1
            if updatesSinceRefactor >= parameters.refactorInterval, refactor() { return }
            cholesky.withUnsafeMutableBufferPointer { l in Self.rankOneUpdate(l.baseAddress!, v.baseAddress!, d) }
        }
    }

    /// Recomputes L from A with LAPACKE `dpotrf`. Returns false (and keeps the
    /// old factor) if LAPACK reports A not positive definite, which A ⪰ λI rules out.
    @discardableResult
    public mutating func refactor() -> Bool {
        let d = dimension
        var l = precision
        let info = l.withUnsafeMutableBufferPointer {
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), numericCast(d), $0.baseAddress, numericCast(d))
        }
        guard info == 0 else { return false }
        for j in 0..<d { for i in 0..<j { l[j * d + i] = 0 } }
        cholesky = l
        updatesSinceRefactor = 0
        return true
    }

    /// xᵀA⁻¹x, the variance of the logit w·x under the posterior.
    public func variance(_ x: UnsafeBufferPointer<Float>) -> Double {
        cholesky.withUnsafeBufferPointer { Self.variance(x, factor: $0.baseAddress!, dimension) }
    }

    /// ‖L⁻¹x‖², through ``variances(_:count:factor:_:into:)`` so that one vector
    /// scored alone and the same vector scored among others agree bit for bit.
    static func variance(_ x: UnsafeBufferPointer<Float>, factor l: UnsafePointer<Double>, _ d: Int) -> Double {
        var v = 0.0
        variances(x, count: 1, factor: l, d, into: &v)
        return v
    }

    /// ‖L⁻¹x‖² of `count` feature vectors (`xs` holds them one after another,
    /// `d` values each), written to `out[0..<count]`, by forward substitution
    /// column by column (contiguous in column-major L).
    ///
    /// Four vectors go through the substitution together, one per SIMD lane,
    /// multiplying by the pivots' reciprocals (worked out once per call):
    /// the chain of d dependent steps is paid once per four, and each
    /// lane does exactly the operations of a one-vector substitution in the
    /// same order, so a vector's variance does not depend on which others it
    /// was scored with (a `RANK` scores its top k this way; RESULTS.md, "RANK
    /// in the core: group information without a reference per group").
    static func variances(_ xs: UnsafeBufferPointer<Float>, count n: Int, factor l: UnsafePointer<Double>, _ d: Int,
                          into out: UnsafeMutablePointer<Double>) {
        precondition(xs.count >= n * d, "\(xs.count) values for \(n) vectors of \(d)")
        withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: 2 * d) { buffer in
            // The pivots' reciprocals first (independent divisions), so the substitution's
            // chain from one column to the next is a multiply, not a division.
            let y = buffer.baseAddress!, reciprocal = y + d
            for j in 0..<d { reciprocal[j] = SIMD4(repeating: 1 / l[j * d + j]) }
            for first in stride(from: 0, to: n, by: 4) {
                let lanes = min(4, n - first)
                for i in 0..<d {
                    var row = SIMD4<Double>()
                    for q in 0..<lanes { row[q] = Double(xs[(first + q) * d + i]) }
                    y[i] = row
                }
                var sum = SIMD4<Double>()
                for j in 0..<d {
                    let yj = y[j] * reciprocal[j]
                    sum += yj * yj
                    let col = l + j * d
                    for i in (j + 1)..<d { y[i] -= SIMD4(repeating: col[i]) * yj }
                }
                for q in 0..<lanes { out[first + q] = sum[q] }
            }
        }
    }

    /// L ← chol(L Lᵀ + v vᵀ) in place (v is overwritten): the classic
    /// Givens-style rank-one update, O(d²).
    static func rankOneUpdate(_ l: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, _ d: Int) {
        for k in 0..<d where v[k] != 0 {
            let lkk = l[k * d + k]
            let r = (lkk * lkk + v[k] * v[k]).squareRoot()
            let c = r / lkk, s = v[k] / lkk, cInverse = lkk / r
            l[k * d + k] = r
            let col = l + k * d
            for i in (k + 1)..<d {
                col[i] = (col[i] + s * v[i]) * cInverse
                v[i] = c * v[i] - s * col[i]
            }
        }
    }
}

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

    /// ‖L⁻¹x‖² by forward substitution, column by column (contiguous in column-major L).
    static func variance(_ x: UnsafeBufferPointer<Float>, factor l: UnsafePointer<Double>, _ d: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { y in
            for i in 0..<d { y[i] = Double(x[i]) }
            var sum = 0.0
            for j in 0..<d {
                let yj = y[j] / l[j * d + j]
                sum += yj * yj
                if yj != 0 {
                    let col = l + j * d
                    for i in (j + 1)..<d { y[i] -= col[i] * yj }
                }
            }
            return sum
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

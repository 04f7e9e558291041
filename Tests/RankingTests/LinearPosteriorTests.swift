import Ranking
import XCTest

/// LinearPosterior.swift: the rank-one-updated Cholesky factor against
/// LAPACK's refactorisation, and xᵀA⁻¹x against a plain linear solve.
final class LinearPosteriorTests: XCTestCase {
    func testRankOneUpdatesMatchRefactorisationAndAnExactSolve() {
        let d = 32
        var parameters = RankerConfiguration.Posterior()
        parameters.lambda = 0.5
        parameters.refactorInterval = 1_000_000
        var posterior = LinearPosterior(dimension: d, parameters: parameters)
        var random = TestRandom(seed: 11)
        var dense = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for i in 0..<d { dense[i][i] = 0.5 }
        for _ in 0..<300 {
            let x = (0..<d).map { _ in Float(random.uniform(-1, 1)) }
            let c = random.uniform(0.01, 0.3)
            x.withUnsafeBufferPointer { posterior.update($0, weight: c) }
            for i in 0..<d { for j in 0..<d { dense[i][j] += c * Double(x[i]) * Double(x[j]) } }
        }
        let query = (0..<d).map { _ in Float(random.uniform(-1, 1)) }
        let fromUpdates = query.withUnsafeBufferPointer { posterior.variance($0) }
        let exact = quadraticFormOfInverse(dense, query.map(Double.init))
        XCTAssertEqual(fromUpdates, exact, accuracy: 1e-9 * exact)

        let updated = posterior.cholesky
        XCTAssertTrue(posterior.refactor(), "dpotrf succeeds on A ⪰ λI")
        XCTAssertEqual(posterior.updatesSinceRefactor, 0)
        for (a, b) in zip(updated, posterior.cholesky) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        for j in 0..<d { for i in 0..<j { XCTAssertEqual(posterior.cholesky[j * d + i], 0, "upper triangle is zero") } }
    }

    func testRefactorIntervalIsHonoured() {
        var parameters = RankerConfiguration.Posterior()
        parameters.refactorInterval = 10
        var posterior = LinearPosterior(dimension: 4, parameters: parameters)
        let x: [Float] = [1, 0.5, 0, -0.5]
        for _ in 0..<9 { x.withUnsafeBufferPointer { posterior.update($0, weight: 0.2) } }
        XCTAssertEqual(posterior.updatesSinceRefactor, 9)
        x.withUnsafeBufferPointer { posterior.update($0, weight: 0.2) }
        XCTAssertEqual(posterior.updatesSinceRefactor, 0)
    }

    func testVarianceShrinksAlongObservedDirectionsOnly() {
        var posterior = LinearPosterior(dimension: 2, parameters: RankerConfiguration.Posterior())
        let seen: [Float] = [1, 0], unseen: [Float] = [0, 1]
        for _ in 0..<99 { seen.withUnsafeBufferPointer { posterior.update($0, weight: 1) } }
        XCTAssertEqual(seen.withUnsafeBufferPointer { posterior.variance($0) }, 1.0 / 100, accuracy: 1e-12)
        XCTAssertEqual(unseen.withUnsafeBufferPointer { posterior.variance($0) }, 1.0, accuracy: 1e-12)
    }

    /// xᵀA⁻¹x by Gaussian elimination with partial pivoting.
    private func quadraticFormOfInverse(_ a: [[Double]], _ x: [Double]) -> Double {
        let n = x.count
        var m = a, b = x
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            m.swapAt(col, pivot); b.swapAt(col, pivot)
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                for k in col..<n { m[row][k] -= f * m[col][k] }
                b[row] -= f * b[col]
            }
        }
        var y = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = b[row]
            for k in (row + 1)..<n { s -= m[row][k] * y[k] }
            y[row] = s / m[row][row]
        }
        return zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

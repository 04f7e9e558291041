import Foundation

/// The Wilson score interval of a binomial proportion: where the true rate of `successes` in `n`
/// trials lies with the confidence `z` stands for (1.96: two-sided 95 %). Unlike the normal
/// approximation it stays inside [0, 1] and is honest for small `n` and rates near 0 — the
/// roll-out's wrong-answer rates of a few percent on a few dozen answers.
public struct WilsonInterval: Sendable, Equatable {
    /// The lower end.
    public var lower: Double
    /// The upper end.
    public var upper: Double

    /// The interval of `successes` out of `n`; [0, 1] when `n` is 0 (nothing is known).
    public init(_ successes: Int, of n: Int, z: Double = 1.96) {
        guard n > 0 else {
            lower = 0
            upper = 1
            return
        }
        let nn = Double(n)
        let p = Double(min(max(successes, 0), n)) / nn
        let z2 = z * z
        let centre = p + z2 / (2 * nn)
        let spread = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        let scale = 1 + z2 / nn
        lower = max(0, (centre - spread) / scale)
        upper = min(1, (centre + spread) / scale)
    }
}

/// The Wilson score interval's upper end for a binomial proportion (1 when `n` is 0).
func wilsonUpper(wrong: Int, of n: Int, z: Double) -> Double {
    WilsonInterval(wrong, of: n, z: z).upper
}

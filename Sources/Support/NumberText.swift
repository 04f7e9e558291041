import Foundation

/// How the service writes numbers into the words people read — the reason of a
/// decision, the text of a gap's webhook — so that every reason shows a bound
/// the same way and a reason can be compared with another at a glance.
enum NumberText {
    /// A probability or a bound with three decimals: `0.874`.
    static func probability(_ x: Double) -> String { String(format: "%.3f", x) }

    /// A fraction as a percentage with one decimal: `1.5 %`.
    static func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
}

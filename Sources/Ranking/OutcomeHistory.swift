/// A group's outcome history: weighted counts of resolved and not-resolved
/// outcomes, read as a Beta(1 + successes, 1 + failures) posterior.
public struct OutcomeHistory: Sendable, Equatable, Codable {
    /// Weighted count of outcomes that resolved the question with this group.
    public var successes: Double = 0
    /// Weighted count of outcomes that did not.
    public var failures: Double = 0

    /// Creates a history from weighted counts; both default to 0 (no history, posterior mean 0.5).
    public init(successes: Double = 0, failures: Double = 0) {
        self.successes = successes
        self.failures = failures
    }

    /// successes + failures.
    public var total: Double { successes + failures }

    /// Mean of the Beta(1 + s, 1 + f) posterior: 0.5 with no history.
    public var posteriorMean: Double { (successes + 1) / (total + 2) }

    /// Adds a change, never letting a count go below zero.
    mutating func add(_ delta: OutcomeHistory) {
        successes = max(0, successes + delta.successes)
        failures = max(0, failures + delta.failures)
    }
}

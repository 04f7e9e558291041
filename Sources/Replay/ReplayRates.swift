/// The counts and rates of a set of ticket records (a week, the last 30 days, one label's questions).
///
/// A rate whose denominator is zero is `nil` (written as JSON `null`), never 0.
public struct ReplayRates: Sendable, Equatable {
    /// Tickets counted.
    public var tickets = 0
    /// Tickets a right answer exists for.
    public var inScope = 0
    /// Tickets the service answered itself.
    public var answered = 0
    /// In-scope tickets answered with a right article.
    public var rightAnswers = 0
    /// Answered tickets whose article was not right (out-of-scope ones included).
    public var wrongAnswers = 0
    /// Tickets handed to a person.
    public var escalated = 0
    /// Tickets no article can answer.
    public var outOfScope = 0
    /// Out-of-scope tickets the service answered anyway: always wrong.
    public var outOfScopeAnswered = 0
    /// In-scope tickets whose label had an article in the KB when asked.
    public var answerable = 0

    /// Counts `records`.
    public init<S: Sequence>(_ records: S) where S.Element == ReplayRecord {
        for r in records {
            tickets += 1
            if r.inScope {
                inScope += 1
                if r.right { rightAnswers += 1 }
                if r.answerable { answerable += 1 }
            } else {
                outOfScope += 1
                if r.answered { outOfScopeAnswered += 1 }
            }
            if r.answered { answered += 1 } else { escalated += 1 }
            if r.wrong { wrongAnswers += 1 }
        }
    }

    /// Autonomous resolution: in-scope tickets answered right / in-scope tickets.
    public var resolutionRate: Double? { ratio(rightAnswers, inScope) }
    /// Wrong answers / all answered (out-of-scope included).
    public var wrongAnswerRate: Double? { ratio(wrongAnswers, answered) }
    /// Escalated / all tickets.
    public var escalationRate: Double? { ratio(escalated, tickets) }
    /// Out-of-scope tickets answered / out-of-scope tickets.
    public var outOfScopeAnsweredRate: Double? { ratio(outOfScopeAnswered, outOfScope) }
    /// The oracle's ceiling: in-scope tickets whose label had an article / in-scope tickets.
    public var oracleResolutionRate: Double? { ratio(answerable, inScope) }

    private func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }
}

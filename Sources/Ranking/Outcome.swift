/// What happened after an answer was shown: the FEEDBACK outcomes.
public enum Outcome: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The customer's question was resolved by this group.
    case resolved
    /// The question went to a human.
    case escalated
    /// An agent corrected the answer, with the group they used instead if any.
    case corrected(groupUsedInstead: UInt64?)
    /// The customer's satisfaction score, 1 (worst) to 5 (best).
    case csat(Int)
    /// The ticket was reopened: takes back an earlier `resolved` on the same impression and group.
    case reopened

    /// The outcome with its payload (`corrected(instead: 42)`, `csat(4)`), for logs and error messages.
    public var description: String {
        switch self {
        case .resolved: return "resolved"
        case .escalated: return "escalated"
        case let .corrected(g): return g.map { "corrected(instead: \($0))" } ?? "corrected"
        case let .csat(s): return "csat(\(s))"
        case .reopened: return "reopened"
        }
    }

    /// The outcome's name without its payload, as counted in ``RankerStats``.
    public var kind: String {
        switch self {
        case .resolved: return "resolved"
        case .escalated: return "escalated"
        case .corrected: return "corrected"
        case .csat: return "csat"
        case .reopened: return "reopened"
        }
    }

    static let kinds = ["resolved", "escalated", "corrected", "csat", "reopened"]
}

/// The one table from outcome to learning signal (docs/RANKING.md, "Outcome → reward").
///
/// `label` is the target of the logistic loss, `weight` scales its gradient
/// and the posterior update, `history` is added to the group's outcome
/// counts, and `reward` is what counterfactual evaluation scores when the
/// group was the one shown first (nil: not a terminal outcome).
struct LearningSignal: Equatable {
    var label: Double
    var weight: Double
    var history: OutcomeHistory
    var reward: Double?

    /// The agent's choice in a correction counts half a resolution for that group.
    static let correctionEndorsementWeight = 0.5
    /// CSAT is a soft, secondary signal.
    static let csatWeight = 0.5

    static let resolved = LearningSignal(label: 1, weight: 1, history: .init(successes: 1), reward: 1)
    static let escalated = LearningSignal(label: 0, weight: 1, history: .init(failures: 1), reward: 0)
    /// For the shown group; the group used instead gets ``endorsed``.
    static let corrected = LearningSignal(label: 0, weight: 1, history: .init(failures: 1), reward: 0)
    static let endorsed = LearningSignal(label: 1, weight: correctionEndorsementWeight,
                                         history: .init(successes: correctionEndorsementWeight), reward: nil)
    /// After undoing the resolution exactly, a reopen is learned as an escalation.
    static let reopened = LearningSignal(label: 0, weight: 1, history: .init(successes: -1, failures: 1), reward: 0)

    static func csat(_ score: Int) -> LearningSignal {
        let y = Double(score - 1) / 4
        return LearningSignal(label: y, weight: csatWeight,
                              history: .init(successes: csatWeight * y, failures: csatWeight * (1 - y)), reward: nil)
    }
}

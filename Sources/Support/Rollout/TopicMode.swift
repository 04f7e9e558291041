import Foundation

/// How Loopdesk treats the questions of one topic (``Article/topic``: the cited article's
/// category) during a roll-out (`PUT /v1/topics/{topic}`, `loopdesk topics set`).
public enum TopicMode: String, Codable, Sendable, CaseIterable {
    /// Decides, and an answer goes to the customer.
    case live
    /// Decides exactly as live would and records it, but hands every question to an agent:
    /// the agent's real handling then judges what Loopdesk would have done.
    case shadow
    /// Stays out: every question is escalated with no suggestion, and nothing is judged.
    case off
}

/// One topic's mode change, kept for the roll-out report (when a topic went live).
public struct TopicModeChange: Sendable, Equatable {
    /// The topic.
    public var topic: String
    /// The mode it was set to.
    public var mode: TopicMode
    /// When (the service's clock).
    public var changedAt: Date

    /// A change as recorded.
    public init(topic: String, mode: TopicMode, changedAt: Date) {
        self.topic = topic
        self.mode = mode
        self.changedAt = changedAt
    }
}

/// What a topic's questions came to, split by the mode they were asked in (the store counts them).
public struct TopicFigures: Sendable, Equatable {
    /// Questions asked in live mode that the service answered.
    public var answered = 0
    /// Of those, judged right by an outcome (resolved, or the agent confirmed the article).
    public var right = 0
    /// Of those, judged wrong (reopened, or corrected with another answer).
    public var wrong = 0
    /// Questions asked in live mode that the service escalated.
    public var escalated = 0
    /// Questions asked in shadow mode that live would have answered.
    public var wouldAnswer = 0
    /// Of those, the agent's handling showed the answer would have been right.
    public var wouldBeRight = 0
    /// Of those, it showed the answer would have been wrong.
    public var wouldBeWrong = 0
    /// Questions asked in shadow mode that live would have escalated, and the agent's handling
    /// showed the suggestion was not the answer (another article, or none).
    public var rightlyEscalated = 0

    /// Counts as given (zero where left out).
    public init(answered: Int = 0, right: Int = 0, wrong: Int = 0, escalated: Int = 0, wouldAnswer: Int = 0,
                wouldBeRight: Int = 0, wouldBeWrong: Int = 0, rightlyEscalated: Int = 0) {
        self.answered = answered
        self.right = right
        self.wrong = wrong
        self.escalated = escalated
        self.wouldAnswer = wouldAnswer
        self.wouldBeRight = wouldBeRight
        self.wouldBeWrong = wouldBeWrong
        self.rightlyEscalated = rightlyEscalated
    }
}

/// A topic as `GET /v1/topics` shows it: its mode, its standing with the escalation policy and
/// its figures, with the suggestion to go live when the shadow evidence is strong enough.
public struct TopicSummary: Sendable, Equatable {
    /// The topic.
    public var topic: String
    /// Its mode now (the default mode when nobody set one).
    public var mode: TopicMode
    /// Whether someone set the mode (false: it follows `--default-mode`).
    public var modeSet: Bool
    /// Judged answers of its own in the policy's window.
    public var judged: Int
    /// The lower bound its best candidate must clear now.
    public var threshold: Double
    /// Which rule set the threshold.
    public var rule: EscalationPolicy.Rule
    /// What its questions came to.
    public var figures: TopicFigures
    /// The upper end of the 95 % interval on the wrong rate of the answers it would have given in
    /// shadow (nil before any was judged).
    public var shadowWrongUpper: Double?
    /// A shadow topic whose would-be answers were judged at least the policy's topic minimum
    /// evidence times with the interval's upper end under the target: it has earned `live`.
    public var suggestLive: Bool
}

/// The outcome codes a queued FEEDBACK carries (``CoreOperation/feedback(generation:impression:group:outcome:groupUsedInstead:csat:)``),
/// numbered as on the wire so that a queued operation survives a restart unchanged.
enum FeedbackCode {
    /// The cited article solved it.
    static let resolved: UInt8 = 1
    /// A person had to take over.
    static let escalated: UInt8 = 2
    /// An agent answered with something else (an article named in `groupUsedInstead`, or a reply).
    static let corrected: UInt8 = 3
    /// A satisfaction rating (in `csat`).
    static let csat: UInt8 = 4
    /// A resolution taken back.
    static let reopened: UInt8 = 5
}

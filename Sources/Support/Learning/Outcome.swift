import Foundation

/// What happened after an answer (or an escalation).
public enum OutcomeKind: String, Codable, Sendable, CaseIterable {
    /// The customer's problem was solved by the answer.
    case resolved
    /// The customer asked for a person, or the policy escalated and nobody corrected.
    case escalated
    /// An agent answered instead: with an existing article (`article_id`) or with their own reply (`agent_reply`).
    case corrected
    /// A resolved ticket came back: the credit and the alias are taken back.
    case reopened
    /// A satisfaction rating, 1–5.
    case csat
}

/// An outcome as `POST /v1/outcomes` takes it.
public struct OutcomeRequest: Codable, Sendable, Equatable {
    /// The answer this outcome is about; or give `conversationID` for its latest answer.
    public var impressionID: String?
    /// The conversation whose latest answer this outcome is about, when `impressionID` is not given.
    public var conversationID: String?
    /// What happened.
    public var outcome: OutcomeKind
    /// 1–5 for `csat`.
    public var csat: Int?
    /// For `corrected`: the agent's reply, which becomes an article when `articleID` is nil. For
    /// `resolved` after an escalation: the agent's public reply, the evidence that they used the
    /// suggested article (``SolveAttribution``).
    public var agentReply: String?
    /// For `corrected`: the existing article the agent used. For `resolved` after an escalation:
    /// the article the agent solved it with.
    public var articleID: String?
    /// The sender's id of this event; a second event with the same id is acknowledged and ignored.
    public var eventID: String?
    /// Who sent it, kept as the learned items' evidence: the helpdesk for `POST /v1/events`
    /// (`zendesk`, `freshdesk`, `intercom`, `generic`); `api` when not given. At most 64 bytes.
    public var source: String?

    /// An outcome to record.
    public init(impressionID: String? = nil, conversationID: String? = nil, outcome: OutcomeKind, csat: Int? = nil,
                agentReply: String? = nil, articleID: String? = nil, eventID: String? = nil, source: String? = nil) {
        self.impressionID = impressionID
        self.conversationID = conversationID
        self.outcome = outcome
        self.csat = csat
        self.agentReply = agentReply
        self.articleID = articleID
        self.eventID = eventID
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case outcome, csat, source
        case impressionID = "impression_id", conversationID = "conversation_id", agentReply = "agent_reply"
        case articleID = "article_id", eventID = "event_id"
    }
}

/// What the service did with an outcome.
public struct OutcomeResponse: Codable, Sendable, Equatable {
    /// `recorded`, or `duplicate` when `event_id` was seen before.
    public var status: String
    /// The answer the outcome was recorded for.
    public var impressionID: String
    /// Whether the core has it already (`false`: queued, delivered when the core is back).
    public var delivered: Bool
    /// The article written from the agent's reply, if any.
    public var createdArticle: ArticleReference?
    /// The article the question became an alias of, if any.
    public var aliasOf: ArticleReference?

    /// A reply, as the service makes it.
    public init(status: String, impressionID: String, delivered: Bool, createdArticle: ArticleReference? = nil,
                aliasOf: ArticleReference? = nil) {
        self.status = status
        self.impressionID = impressionID
        self.delivered = delivered
        self.createdArticle = createdArticle
        self.aliasOf = aliasOf
    }

    enum CodingKeys: String, CodingKey {
        case status, delivered
        case impressionID = "impression_id", createdArticle = "created_article", aliasOf = "alias_of"
    }
}

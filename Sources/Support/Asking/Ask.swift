import Foundation

/// A customer's question, as `POST /v1/ask` takes it.
public struct AskRequest: Codable, Sendable {
    /// The question, 1–8,000 bytes after trimming.
    public var text: String
    /// Continue this conversation; a new one is opened when nil.
    public var conversationID: String?
    /// Account context — plan, page, account state, … — sent to the core as `key:value` context tags.
    public var context: [String: String]
    /// The question's embedding, when the caller already has it (the replay
    /// harness embeds its whole stream in batches); otherwise the service embeds `text`.
    public var vector: [Float]?

    /// A question to ask.
    public init(text: String, conversationID: String? = nil, context: [String: String] = [:], vector: [Float]? = nil) {
        self.text = text
        self.conversationID = conversationID
        self.context = context
        self.vector = vector
    }

    enum CodingKeys: String, CodingKey {
        case text, conversationID = "conversation_id", context
    }

    /// Decodes `POST /v1/ask`'s body; a vector cannot come over HTTP.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        conversationID = try c.decodeIfPresent(String.self, forKey: .conversationID)
        context = try c.decodeIfPresent([String: String].self, forKey: .context) ?? [:]
        vector = nil
    }

    /// Encodes the body of `POST /v1/ask` (without the vector).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encodeIfPresent(conversationID, forKey: .conversationID)
        if !context.isEmpty { try c.encode(context, forKey: .context) }
    }

    /// Longest question accepted, in UTF-8 bytes.
    public static let maxTextBytes = 8_000
}

/// Answer or hand over to a person.
public enum Decision: String, Codable, Sendable {
    /// The service answers the customer itself, citing the article.
    case answer
    /// A person takes over; the best candidate, if any, is their suggestion.
    case escalate
}

/// The article an answer cites.
public struct ArticleReference: Codable, Sendable, Equatable {
    /// The article's id.
    public var id: String
    /// Its title.
    public var title: String

    /// A reference to an article.
    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// One candidate the ranker considered, for `sources`.
public struct AnswerSource: Codable, Sendable, Equatable {
    /// The article's id.
    public var id: String
    /// Its title.
    public var title: String
    /// The ranker's P(resolved) for it.
    public var score: Double
    /// The cosine similarity of its nearest vector (the article or one of its aliases) to the question.
    public var similarity: Double

    /// A candidate as listed.
    public init(id: String, title: String, score: Double, similarity: Double) {
        self.id = id
        self.title = title
        self.score = score
        self.similarity = similarity
    }
}

/// The service's reply to a question (`POST /v1/ask`).
public struct AskResponse: Codable, Sendable, Equatable {
    /// Answered, or handed to a person.
    public var decision: Decision
    /// The best candidate (cited when answering; the suggestion handed to the agent when escalating).
    public var article: ArticleReference?
    /// The article's most relevant passage: sent to the customer when answering, the
    /// suggestion handed to the agent when escalating; empty without a candidate.
    public var answer: String
    /// The ranker's estimate of P(resolved) for `article`, and its interval.
    public var score: Double
    /// The lower end of the interval: what the policy compared with ``threshold``.
    public var lower: Double
    /// The upper end of the interval.
    public var upper: Double
    /// The candidates considered, best first.
    public var sources: [AnswerSource]
    /// Report outcomes against this id (`POST /v1/outcomes`).
    public var impressionID: String
    /// The conversation: the request's, or the one opened for it. Send it with a follow-up.
    public var conversationID: String
    /// Why the policy decided so, for people.
    public var reason: String
    /// The topic the policy judged (the best candidate's topic), or nil without a candidate.
    public var topic: String?
    /// The lower bound the topic needed when the decision was made.
    public var threshold: Double
    /// The topic's roll-out mode (``TopicMode``): in `shadow` ``decision`` is `escalate`.
    public var mode: TopicMode
    /// In shadow mode, what live would have decided; nil otherwise.
    public var shadowDecision: Decision?

    /// A reply, as the service makes it.
    public init(decision: Decision, article: ArticleReference?, answer: String, score: Double, lower: Double, upper: Double,
                sources: [AnswerSource], impressionID: String, conversationID: String, reason: String, topic: String?,
                threshold: Double, mode: TopicMode = .live, shadowDecision: Decision? = nil) {
        self.mode = mode
        self.shadowDecision = shadowDecision
        self.decision = decision
        self.article = article
        self.answer = answer
        self.score = score
        self.lower = lower
        self.upper = upper
        self.sources = sources
        self.impressionID = impressionID
        self.conversationID = conversationID
        self.reason = reason
        self.topic = topic
        self.threshold = threshold
    }

    enum CodingKeys: String, CodingKey {
        case decision, article, answer, score, lower, upper, sources, reason, topic, threshold, mode
        case impressionID = "impression_id", conversationID = "conversation_id", shadowDecision = "shadow_decision"
    }
}

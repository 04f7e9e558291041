import Foundation

/// What taught the service an alias or an article (`GET /v1/learned`'s `origin`).
public enum LearnedOrigin: String, Codable, Sendable, CaseIterable {
    /// A customer's (or a helpdesk's) `resolved` on the answer, or on an agent's solve that used the article.
    case resolved
    /// An agent's `corrected` naming the article they used.
    case corrected
    /// An agent's reply written as an article (and the question that asked it).
    case agentReply = "agent_reply"
    /// A past ticket of a helpdesk export: its reply as an article, its question as an alias.
    case ticketImport = "ticket_import"
    /// A question an agent handled without an article: an example that pulls its neighbours
    /// towards escalation (an alias of the service's "handled without an article" group).
    case escalated
}

/// The proof behind one learned item: the answer (impression) and the outcome event that taught
/// it, who or what sent that event, and when. Stored as JSON with the alias or article.
public struct LearningEvidence: Codable, Sendable, Equatable {
    /// The answer whose outcome taught it (`imp_…`); nil for a ticket import.
    public var impressionID: String?
    /// The outcome that taught it (`resolved`, `corrected`, `escalated`), or `ticket_import`.
    public var outcome: String
    /// The sender's event id (a helpdesk's ticket event id), when the event carried one.
    public var eventID: String?
    /// Who or what sent it: the helpdesk (`zendesk`, `freshdesk`, `intercom`, `generic`), `api`
    /// for `POST /v1/outcomes`, `import:<source>` for a ticket import, `replay` for a replay.
    public var source: String
    /// How an agent's solve of an escalated question was tied to the article
    /// (``SolveAttribution``: `article_id`, `agent_reply`); nil for any other outcome.
    public var attribution: String?
    /// The agent's reply's similarity to the suggested passage, when that was what tied them.
    public var similarity: Double?
    /// When the service received the event.
    public var receivedAt: Date

    /// Evidence as the service records it.
    public init(impressionID: String?, outcome: String, eventID: String? = nil, source: String, attribution: String? = nil,
                similarity: Double? = nil, receivedAt: Date) {
        self.impressionID = impressionID
        self.outcome = outcome
        self.eventID = eventID
        self.source = source
        self.attribution = attribution
        self.similarity = similarity
        self.receivedAt = receivedAt
    }

    enum CodingKeys: String, CodingKey {
        case outcome, source, attribution, similarity
        case impressionID = "impression_id", eventID = "event_id", receivedAt = "received_at"
    }

    /// The evidence as the JSON text the store keeps (ISO 8601 times; `{}` should encoding ever fail, counted).
    package var storedJSON: String {
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            DataPathFailures.shared.record(.storedEvidence, error, what: "encoding learning evidence")
            return "{}"
        }
    }

    /// Evidence read back from the store; nil for a row written before evidence was kept
    /// (`{}`), or a damaged one (counted).
    package static func fromStored(_ text: String?) -> LearningEvidence? {
        guard let text, text != "{}", let data = text.data(using: .utf8) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(LearningEvidence.self, from: data)
        } catch {
            DataPathFailures.shared.record(.storedEvidence, error, what: "decoding learning evidence \(text.prefix(200))")
            return nil
        }
    }
}

/// One thing the service taught itself: an alias (a customer's question that now votes for an
/// article) or an article written from an agent's or an imported ticket's reply.
public struct LearnedItem: Sendable, Equatable {
    /// Which of the two.
    public enum Kind: String, Codable, Sendable {
        case alias, article
    }

    /// `alias-<key>` or `article-<key>`: what `DELETE /v1/learned/{id}` takes.
    public var id: String
    public var kind: Kind
    /// The customer's words (aliases only).
    public var question: String?
    /// The article it teaches (for an alias, the one it votes for).
    public var article: ArticleReference
    public var origin: LearnedOrigin
    /// The proof; nil for an item learned before evidence was recorded.
    public var evidence: LearningEvidence?
    public var createdAt: Date
    /// An alias: `active`, or how it ended — `reopened`, `undone`, `moved` (to an agent's new
    /// article), `archived` (its article is; it votes again once that is published). An article: its status.
    public var status: String

    /// An item as the service lists it.
    public init(id: String, kind: Kind, question: String?, article: ArticleReference, origin: LearnedOrigin,
                evidence: LearningEvidence?, createdAt: Date, status: String) {
        self.id = id
        self.kind = kind
        self.question = question
        self.article = article
        self.origin = origin
        self.evidence = evidence
        self.createdAt = createdAt
        self.status = status
    }

    /// The learned item id of an alias.
    public static func id(alias key: Int64) -> String { "alias-\(key)" }
    /// The learned item id of an article.
    public static func id(article key: Int64) -> String { "article-\(key)" }

    /// The kind and store key a learned item id names; nil for anything else.
    public static func parse(_ id: String) -> (kind: Kind, key: Int64)? {
        for kind in [Kind.alias, .article] {
            let prefix = kind.rawValue + "-"
            if id.hasPrefix(prefix), let key = Int64(id.dropFirst(prefix.count)), key > 0 { return (kind, key) }
        }
        return nil
    }
}

/// Why an alias stopped voting (the store's `ended_reason`).
public enum AliasEnd: String, Codable, Sendable {
    /// Its resolution was reopened.
    case reopened
    /// A person took it back (`DELETE /v1/learned/{id}`).
    case undone
    /// A "handled without an article" example moved to the agent's article written for it.
    case moved
    /// An earlier "handled without an article" example, replaced once an agent corrected the answer.
    case superseded
}

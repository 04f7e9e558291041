import Foundation

/// An article as a caller submits it: the knowledge base's unit of text.
///
/// `id` is the caller's own identifier (a slug, a helpdesk article number);
/// re-submitting the same `id` updates the article, and an unchanged title,
/// body and tags leave it as it is (no new version, no re-embedding).
public struct ArticleInput: Codable, Sendable, Equatable {
    /// The caller's id, 1–200 bytes; `_loopdesk…` is reserved.
    public var id: String
    /// The title: embedded with the body, and shown when the article is cited.
    public var title: String
    /// The text answers are extracted from: paragraphs separated by blank lines.
    public var body: String
    /// Tags, sent to the core as the article's filter tags; a `topic:` tag names its topic (``Article/topic``).
    public var tags: [String]

    /// An article to submit.
    public init(id: String, title: String, body: String, tags: [String] = []) {
        self.id = id
        self.title = title
        self.body = body
        self.tags = tags
    }

    /// Checks the fields a stored article needs.
    /// - Throws: ``SupportError/invalidArticle(id:reason:)``.
    public func validate() throws {
        let trimmedID = id.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedID.isEmpty, trimmedID.utf8.count <= 200 else {
            throw SupportError.invalidArticle(id: id, reason: "id must be 1–200 bytes, not blank")
        }
        guard !trimmedID.hasPrefix("_loopdesk") else {
            throw SupportError.invalidArticle(id: id, reason: "ids starting with _loopdesk are reserved for the service")
        }
        guard !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SupportError.invalidArticle(id: id, reason: "title is empty")
        }
        guard body.utf8.count <= 1_000_000 else {
            throw SupportError.invalidArticle(id: id, reason: "body is \(body.utf8.count) bytes; at most 1,000,000")
        }
        for tag in tags where tag.isEmpty || tag.utf8.count > 200 {
            throw SupportError.invalidArticle(id: id, reason: "tag \"\(tag)\" must be 1–200 bytes")
        }
    }
}

/// Whether an article is served.
public enum ArticleStatus: String, Codable, Sendable {
    /// Answers may cite it.
    case published
    /// Kept for history; removed from the core, never cited, and its aliases do not vote.
    case archived
    /// An agent's reply awaiting review (`--agent-articles review`): never cited and not in the
    /// core until it is published.
    case draft
    /// The service's own bookkeeping group (the questions agents handled without an article): never cited, never listed.
    case `internal`
}

/// Where an article came from.
public enum ArticleOrigin: String, Codable, Sendable {
    /// Imported or posted by the knowledge-base team.
    case knowledgeBase = "kb"
    /// Written from an agent's reply to an escalated question.
    case agentReply = "agent"
    /// Written from the reply of a past ticket a helpdesk export held (``SupportService/importTickets(_:source:progress:)``).
    case ticketImport = "ticket"
}

/// A stored article.
public struct Article: Codable, Sendable, Equatable {
    /// The store's numeric key; also the article's group id in the core.
    public var key: Int64
    /// The caller's id.
    public var id: String
    /// The current title.
    public var title: String
    /// The current body.
    public var body: String
    /// The current tags.
    public var tags: [String]
    /// Whether it is served.
    public var status: ArticleStatus
    /// Starts at 1; grows by one with every change of title, body or tags.
    public var version: Int
    /// Whether the knowledge-base team or an agent's reply wrote it.
    public var origin: ArticleOrigin
    /// When it was first stored.
    public var createdAt: Date
    /// When its title, body, tags or status last changed.
    public var updatedAt: Date

    /// A stored article, as a store reads it.
    public init(key: Int64, id: String, title: String, body: String, tags: [String], status: ArticleStatus,
                version: Int, origin: ArticleOrigin, createdAt: Date, updatedAt: Date) {
        self.key = key
        self.id = id
        self.title = title
        self.body = body
        self.tags = tags
        self.status = status
        self.version = version
        self.origin = origin
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The topic an article belongs to for the escalation policy and the reports:
    /// its `topic:` tag, else its first tag (bookkeeping `origin:` tags aside), else its own id.
    public var topic: String {
        if let tagged = tags.first(where: { $0.hasPrefix("topic:") }) { return String(tagged.dropFirst(6)) }
        return tags.first { !$0.hasPrefix("origin:") } ?? id
    }

    /// The text that is embedded for the article's vector.
    public var embeddingText: String { title + "\n" + body }
}

/// One earlier version of an article.
public struct ArticleVersion: Codable, Sendable, Equatable {
    /// The version number it had.
    public var version: Int
    /// The title it had.
    public var title: String
    /// The body it had.
    public var body: String
    /// The tags it had.
    public var tags: [String]
    /// When the article became this version.
    public var changedAt: Date
}

/// What an upsert of articles did.
public struct ArticleImportSummary: Codable, Sendable, Equatable {
    /// Articles not seen before.
    public var created = 0
    /// Articles whose title, body or tags changed: a new version, embedded again.
    public var updated = 0
    /// Articles submitted exactly as stored: not embedded, not sent.
    public var unchanged = 0

    /// A summary of the given counts.
    public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }

    /// The sum of two summaries (batches of one upsert).
    public static func + (a: Self, b: Self) -> Self {
        Self(created: a.created + b.created, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged)
    }
}

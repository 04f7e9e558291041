import Foundation

/// An article as a caller submits it: the knowledge base's unit of text.
///
/// `id` is the caller's own identifier (a slug, a helpdesk article number);
/// re-submitting the same `id` updates the article, and an unchanged title,
/// body and tags leave it as it is (no new version, no re-embedding).
public struct ArticleInput: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var body: String
    public var tags: [String]

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
    /// Kept for history; removed from the core.
    case archived
    /// The service's own bookkeeping group (``SupportService/noArticleID``): never cited, never listed.
    case `internal`
}

/// Where an article came from.
public enum ArticleOrigin: String, Codable, Sendable {
    /// Imported or posted by the knowledge-base team.
    case knowledgeBase = "kb"
    /// Written from an agent's reply to an escalated question.
    case agentReply = "agent"
}

/// A stored article.
public struct Article: Codable, Sendable, Equatable {
    /// The store's numeric key; also the article's group id in the core.
    public var key: Int64
    public var id: String
    public var title: String
    public var body: String
    public var tags: [String]
    public var status: ArticleStatus
    /// Starts at 1; grows by one with every change of title, body or tags.
    public var version: Int
    public var origin: ArticleOrigin
    public var createdAt: Date
    public var updatedAt: Date

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
    public var version: Int
    public var title: String
    public var body: String
    public var tags: [String]
    public var changedAt: Date
}

/// What an upsert of articles did.
public struct ArticleImportSummary: Codable, Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0

    public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }

    public static func + (a: Self, b: Self) -> Self {
        Self(created: a.created + b.created, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged)
    }
}

import Foundation
import Support

// The JSON bodies of the API that have no Support model type of their own; the CLI reads them too.

/// An article as the API shows it.
public struct ArticleJSON: Codable, Sendable {
    /// The caller's id of the article (`reset-password`), stable across versions.
    public var id: String
    /// The current version's title.
    public var title: String
    /// Absent in listings.
    public var body: String?
    /// The current version's tags (`topic:billing`, …).
    public var tags: [String]
    /// `published` or `archived` (``ArticleStatus``).
    public var status: String
    /// The current version, 1 for a new article; a change of title, body or tags adds one.
    public var version: Int
    /// Where it came from: `kb` (the knowledge-base team) or `agent` (an agent's reply; ``ArticleOrigin``).
    public var origin: String
    /// When the first version was stored.
    public var createdAt: Date
    /// When the current version was stored.
    public var updatedAt: Date
    /// Every version, oldest first (the current one last); only in `GET /v1/articles/{id}`.
    public var versions: [ArticleVersionJSON]?

    /// The API's view of a stored article; `withBody: false` for listings.
    public init(_ article: Article, withBody: Bool, versions: [ArticleVersion]? = nil) {
        id = article.id
        title = article.title
        body = withBody ? article.body : nil
        tags = article.tags
        status = article.status.rawValue
        version = article.version
        origin = article.origin.rawValue
        createdAt = article.createdAt
        updatedAt = article.updatedAt
        // The store keeps earlier versions as history; the current one is the article itself.
        self.versions = versions.map { history in
            history.filter { $0.version < article.version }.map(ArticleVersionJSON.init)
                + [ArticleVersionJSON(version: article.version, title: article.title, body: article.body, tags: article.tags,
                                      changedAt: article.updatedAt)]
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, title, body, tags, status, version, origin, versions
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// One version of an article, in `GET /v1/articles/{id}`.
public struct ArticleVersionJSON: Codable, Sendable {
    /// The version number, from 1.
    public var version: Int
    /// The title as it was in this version.
    public var title: String
    /// The body as it was in this version.
    public var body: String
    /// The tags as they were in this version.
    public var tags: [String]
    /// When this version was stored.
    public var changedAt: Date

    /// The API's view of a stored earlier version.
    public init(_ version: ArticleVersion) {
        self.init(version: version.version, title: version.title, body: version.body, tags: version.tags, changedAt: version.changedAt)
    }

    /// A version from its parts (the current version is the article itself, not a stored version).
    public init(version: Int, title: String, body: String, tags: [String], changedAt: Date) {
        self.version = version
        self.title = title
        self.body = body
        self.tags = tags
        self.changedAt = changedAt
    }

    enum CodingKeys: String, CodingKey {
        case version, title, body, tags
        case changedAt = "changed_at"
    }
}

/// A page of `GET /v1/articles`.
public struct ArticleListJSON: Codable, Sendable {
    /// This page's articles, without their bodies.
    public var articles: [ArticleJSON]
    /// Published articles in all.
    public var total: Int
    /// The page size asked for.
    public var limit: Int
    /// How many articles come before this page.
    public var offset: Int
    /// The `offset` of the next page, or null after the last.
    public var nextOffset: Int?

    /// A page as the API answers it; `nextOffset` nil on the last page.
    public init(articles: [ArticleJSON], total: Int, limit: Int, offset: Int, nextOffset: Int?) {
        self.articles = articles
        self.total = total
        self.limit = limit
        self.offset = offset
        self.nextOffset = nextOffset
    }

    enum CodingKeys: String, CodingKey {
        case articles, total, limit, offset
        case nextOffset = "next_offset"
    }

    /// Encodes every key, `next_offset` as `null` on the last page rather than leaving it out,
    /// so clients can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(articles, forKey: .articles)
        try c.encode(total, forKey: .total)
        try c.encode(limit, forKey: .limit)
        try c.encode(offset, forKey: .offset)
        try c.encode(nextOffset, forKey: .nextOffset)
    }
}

/// What `POST /v1/articles` did.
public struct ArticleImportJSON: Codable, Sendable {
    /// Articles in the request.
    public var received: Int
    /// Articles whose id was new.
    public var created: Int
    /// Articles whose title, body or tags changed (a new version each).
    public var updated: Int
    /// Articles sent again exactly as stored (left alone).
    public var unchanged: Int

    /// The summary of one import.
    public init(received: Int, created: Int, updated: Int, unchanged: Int) {
        self.received = received
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// What `POST /v1/reindex` rebuilt.
public struct ReindexJSON: Codable, Sendable {
    /// Article vectors written to the rebuilt collection.
    public var articles: Int
    /// Learned alias vectors written to it.
    public var aliases: Int

    /// The counts of one rebuild.
    public init(articles: Int, aliases: Int) {
        self.articles = articles
        self.aliases = aliases
    }
}

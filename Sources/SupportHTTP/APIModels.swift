import Foundation
import Support

// The JSON bodies of the API that have no Support model type of their own; the CLI reads them too.

/// An article as the API shows it.
public struct ArticleJSON: Codable, Sendable {
    public var id: String
    public var title: String
    /// Absent in listings.
    public var body: String?
    public var tags: [String]
    public var status: String
    public var version: Int
    public var origin: String
    public var createdAt: Date
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
    public var version: Int
    public var title: String
    public var body: String
    public var tags: [String]
    public var changedAt: Date

    public init(_ version: ArticleVersion) {
        self.init(version: version.version, title: version.title, body: version.body, tags: version.tags, changedAt: version.changedAt)
    }

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
    public var articles: [ArticleJSON]
    /// Published articles in all.
    public var total: Int
    public var limit: Int
    public var offset: Int
    /// The `offset` of the next page, or null after the last.
    public var nextOffset: Int?

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
    public var created: Int
    public var updated: Int
    public var unchanged: Int

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

    public init(articles: Int, aliases: Int) {
        self.articles = articles
        self.aliases = aliases
    }
}

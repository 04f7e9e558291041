import Foundation
import Support

/// ``KnowledgeStore`` on PostgreSQL: the `articles` and `article_versions` tables.
extension PostgresStore {
    /// The article with the caller's id, whatever its status.
    public func article(id: String) throws -> Article? {
        try read { session in try session.row("SELECT * FROM articles WHERE id = $1", [id]).map(Article.init(postgres:)) }
    }

    /// The article with this store key, whatever its status.
    public func article(key: Int64) throws -> Article? {
        try read { session in try session.row("SELECT * FROM articles WHERE key = $1", [key]).map(Article.init(postgres:)) }
    }

    /// The articles with these keys, in one query (the keys as one array parameter).
    public func articles(keys: [Int64]) throws -> [Int64: Article] {
        guard !keys.isEmpty else { return [:] }
        return try read { session in
            let articles = try session.rows("SELECT * FROM articles WHERE key = ANY($1)", [keys]).map(Article.init(postgres:))
            return Dictionary(uniqueKeysWithValues: articles.map { ($0.key, $0) })
        }
    }

    /// Published articles (and archived ones when asked) by key; internal groups never.
    public func listArticles(limit: Int, offset: Int, includeArchived: Bool) throws -> [Article] {
        let filter = includeArchived ? "WHERE status != 'internal'" : "WHERE status = 'published'"
        return try read { session in
            try session.rows("SELECT * FROM articles \(filter) ORDER BY key LIMIT $1 OFFSET $2", [limitValue(limit), offsetValue(offset)])
                .map(Article.init(postgres:))
        }
    }

    /// Articles with one status, by key.
    public func listArticles(status: ArticleStatus, limit: Int, offset: Int) throws -> [Article] {
        try read { session in
            try session.rows("SELECT * FROM articles WHERE status = $1 ORDER BY key LIMIT $2 OFFSET $3",
                             [status.rawValue, limitValue(limit), offsetValue(offset)]).map(Article.init(postgres:))
        }
    }

    /// How many articles are published.
    public func articleCount() throws -> Int {
        try read { session in try session.row("SELECT count(*) AS n FROM articles WHERE status = 'published'").map { try $0["n"] } ?? 0 }
    }

    /// An article's earlier versions, oldest first.
    public func articleVersions(key: Int64) throws -> [ArticleVersion] {
        try read { session in
            try session.rows("SELECT * FROM article_versions WHERE article_key = $1 ORDER BY version", [key]).map { row in
                ArticleVersion.stored(version: try row["version"], title: try row["title"], body: try row["body"],
                               tags: decodeTags(try row["tags"]), changedAt: try row.date("changed_at"))
            }
        }
    }
}

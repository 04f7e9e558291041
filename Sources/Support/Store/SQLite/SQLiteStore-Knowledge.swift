import Foundation
import GRDB

/// ``KnowledgeStore`` on SQLite: the `articles` and `article_versions` tables.
extension SQLiteStore {
    /// The article with the caller's id, whatever its status.
    public func article(id: String) throws -> Article? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE id = ?", arguments: [id]).map(Article.init(row:)) }
    }

    /// The article with this store key, whatever its status.
    public func article(key: Int64) throws -> Article? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM articles WHERE key = ?", arguments: [key]).map(Article.init(row:)) }
    }

    /// The articles with these keys, in one query.
    public func articles(keys: [Int64]) throws -> [Int64: Article] {
        guard !keys.isEmpty else { return [:] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM articles WHERE key IN (\(marks))",
                                        arguments: StatementArguments(keys))
            return Dictionary(uniqueKeysWithValues: rows.map { row in let a = Article(row: row); return (a.key, a) })
        }
    }

    /// Published articles (and archived ones when asked) by key; internal groups never.
    public func listArticles(limit: Int, offset: Int, includeArchived: Bool) throws -> [Article] {
        try pool.read { db in
            let filter = includeArchived ? "WHERE status != 'internal'" : "WHERE status = 'published'"
            return try Row.fetchAll(db, sql: "SELECT * FROM articles \(filter) ORDER BY key LIMIT ? OFFSET ?",
                                    arguments: [limit, offset]).map(Article.init(row:))
        }
    }

    /// Articles with one status, by key.
    public func listArticles(status: ArticleStatus, limit: Int, offset: Int) throws -> [Article] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM articles WHERE status = ? ORDER BY key LIMIT ? OFFSET ?",
                             arguments: [status.rawValue, limit, offset]).map(Article.init(row:))
        }
    }

    /// How many articles are published.
    public func articleCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM articles WHERE status = 'published'") ?? 0 }
    }

    /// An article's earlier versions, oldest first.
    public func articleVersions(key: Int64) throws -> [ArticleVersion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM article_versions WHERE article_key = ? ORDER BY version",
                             arguments: [key]).map { row in
                ArticleVersion(version: row["version"], title: row["title"], body: row["body"],
                               tags: decodeTags(row["tags"]), changedAt: Date(timeIntervalSince1970: row["changed_at"]))
            }
        }
    }
}

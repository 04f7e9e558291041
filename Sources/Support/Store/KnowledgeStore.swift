import Foundation

/// The knowledge base as the store keeps it: articles, with every earlier
/// version of each. A part of ``SupportStore``.
public protocol KnowledgeStore: Sendable {
    /// The article with the caller's id, whatever its status.
    func article(id: String) throws -> Article?
    /// The article with the store's key (its group id in the core), whatever its status.
    func article(key: Int64) throws -> Article?
    /// The articles with these keys, by key; unknown keys are absent.
    func articles(keys: [Int64]) throws -> [Int64: Article]
    /// Articles ordered by key, published only unless `includeArchived`
    /// (the service's internal groups never).
    func listArticles(limit: Int, offset: Int, includeArchived: Bool) throws -> [Article]
    /// Articles with one status (`draft`: the review queue), ordered by key.
    func listArticles(status: ArticleStatus, limit: Int, offset: Int) throws -> [Article]
    /// How many articles are published.
    func articleCount() throws -> Int
    /// An article's earlier versions, oldest first (the current one is the article itself).
    func articleVersions(key: Int64) throws -> [ArticleVersion]
}

/// The knowledge-base writes of a ``SupportStoreWriter``.
public protocol KnowledgeStoreWriter {
    /// Inserts or updates articles by id. An article whose title, body and tags
    /// are unchanged is left alone; a changed one gets a new version (the old one
    /// is kept in its history).
    /// - Returns: each input's stored article and whether it was created or changed.
    /// - Parameters:
    ///   - origin: who wrote a new article (an existing one keeps its origin).
    ///   - status: what the articles become (`published`, or `draft` for an agent's reply awaiting review).
    ///   - evidence: what taught a new learned article (agents' and imported replies); nil for the knowledge base's.
    func upsertArticles(_ inputs: [ArticleInput], origin: ArticleOrigin, status: ArticleStatus, evidence: LearningEvidence?,
                        at: Date) throws -> [(article: Article, changed: Bool)]
    /// The article with this id, created with status `internal` when missing: the
    /// service's bookkeeping groups, which are never cited or listed.
    func internalArticle(id: String, title: String, at: Date) throws -> Article
    /// Sets an article's status (archive, publish, back to draft); the service's internal groups are
    /// out of reach. Returns the article and the status it had, or nil when unknown.
    func setArticleStatus(id: String, to status: ArticleStatus, at: Date) throws -> (article: Article, previous: ArticleStatus)?
}

/// Which articles answer which label right now, as the replay sees the
/// knowledge base: the given articles once published, and the articles agents
/// wrote from their replies. Decides whether an answer was right and what the
/// oracle could have answered.
public struct KnowledgeState: Sendable, Equatable {
    /// Label → the ids of its articles in the KB, in the order they arrived.
    public private(set) var articleIDsByLabel: [String: [String]] = [:]
    private var labelByArticleID: [String: String] = [:]
    /// Every article id, in the order they arrived.
    public private(set) var articleIDs: [String] = []

    /// No articles yet.
    public init() {}

    /// Records that `articleID` now answers `label`.
    public mutating func add(articleID: String, label: String) {
        guard labelByArticleID[articleID] == nil else { return }
        labelByArticleID[articleID] = label
        articleIDsByLabel[label, default: []].append(articleID)
        articleIDs.append(articleID)
    }

    /// Whether some article in the KB answers `label` (the oracle could answer it).
    public func hasArticle(for label: String) -> Bool {
        !(articleIDsByLabel[label] ?? []).isEmpty
    }

    /// Whether answering a `label` question with `articleID` is right.
    public func isRight(articleID: String?, label: String) -> Bool {
        guard let articleID, label != ReplayDataset.outOfScopeLabel else { return false }
        return labelByArticleID[articleID] == label
    }

    /// The article an agent cites for `label`: the first that arrived (the given article before an agent's).
    public func preferredArticle(for label: String) -> String? {
        articleIDsByLabel[label]?.first
    }

    /// The label an article answers, if the replay knows the article.
    public func label(ofArticle articleID: String) -> String? { labelByArticleID[articleID] }
}

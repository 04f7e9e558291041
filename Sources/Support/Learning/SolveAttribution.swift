import Foundation

/// Whether an agent who solved an escalated question used the article Loopdesk suggested —
/// the only case in which a later "solved" may credit it (a FEEDBACK `resolved`, an alias, a
/// right judged answer). An escalated question solved by an agent is the agent's resolution:
/// the suggestion gets credit only when the event shows it was used.
///
/// The evidence, strongest first:
/// 1. the event names an article (`article_id`, or the helpdesk's own article reference):
///    the suggestion, or another one the agent used instead;
/// 2. the agent's public reply is close to what the suggestion would have said: its
///    embedding's cosine similarity to the suggested passage (``PassageExtractor``, for the
///    customer's question) or to the whole article is at least ``replySimilarityThreshold``;
/// 3. anything else — no reply, a reply about something else, no suggestion — is no evidence:
///    the suggestion counts as not used.
public enum SolveAttribution: Equatable, Sendable {
    /// The event names the suggested article.
    case namedSuggestion
    /// The event names another published article: the agent used it instead.
    case namedOther(Article)
    /// The agent's reply says what the suggested passage says.
    case replyMatches(similarity: Float)
    /// Nothing shows the suggestion was used; `similarity` is the reply's, when there was one to compare.
    case notUsed(similarity: Float?)

    /// Cosine similarity from which an agent's reply counts as using the suggested article.
    /// Measured on CLINC150 with MiniLM (`loopdesk replay --attribution-sample`,
    /// Benchmarks/RESULTS.md "Attribution threshold"): the lowest value at which at most 1 % of
    /// replies about the nearest other article would pass (0 % there; 30 % of replies about the
    /// suggestion itself pass, so credit is sometimes missed, never given wrongly).
    public static let replySimilarityThreshold: Float = 0.7

    /// How an agent's solve relates to the suggestion.
    /// - Parameters:
    ///   - suggested: the article the escalation suggested; nil when it suggested none.
    ///   - named: the published article the event names, if it names one.
    ///   - reply: the agent's public reply, if the event carries it.
    ///   - question: the customer's question (it picks the suggested passage).
    ///   - embedder: what the service embeds with.
    static func attribute(suggested: Article?, named: Article?, reply: String?, question: String,
                          embedder: any TextEmbedder) -> SolveAttribution {
        if let named {
            return named.key == suggested?.key ? .namedSuggestion : .namedOther(named)
        }
        guard let reply = reply?.trimmingCharacters(in: .whitespacesAndNewlines), !reply.isEmpty else { return .notUsed(similarity: nil) }
        guard let suggested else { return .notUsed(similarity: nil) }
        let similarity = replySimilarity(reply: reply, question: question, article: suggested, embedder: embedder)
        return similarity >= replySimilarityThreshold ? .replyMatches(similarity: similarity) : .notUsed(similarity: similarity)
    }

    /// The reply's cosine similarity to the article: the larger of its similarity to the
    /// passage an answer to `question` would cite and to the whole article (an agent may paste
    /// another paragraph of it). Embeddings are unit length, so a dot product.
    public static func replySimilarity(reply: String, question: String, article: Article, embedder: any TextEmbedder) -> Float {
        let passage = PassageExtractor.passage(for: question, in: article)
        let vectors = embedder.embed([reply, passage, article.embeddingText])
        guard vectors.count == 3 else { return 0 }
        return max(dot(vectors[0], vectors[1]), dot(vectors[0], vectors[2]))
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }

    /// What the evidence records: `article_id` or `agent_reply`; nil when nothing tied them.
    var evidenceName: String? {
        switch self {
        case .namedSuggestion, .namedOther: "article_id"
        case .replyMatches: "agent_reply"
        case .notUsed: nil
        }
    }

    /// The similarity the evidence records.
    var similarity: Float? {
        switch self {
        case let .replyMatches(similarity): similarity
        case let .notUsed(similarity): similarity
        case .namedSuggestion, .namedOther: nil
        }
    }
}

import Wire

/// The core's ranking of one question read against the knowledge base: the
/// candidates that may be cited — published articles, best first — and what the
/// escalation rule needs to know about the rest.
struct RankedCandidates {
    /// One candidate that may be cited.
    struct Candidate {
        /// The core's ranked group: score, interval, best similarity.
        var item: RankedItem
        /// Its article.
        var article: Article
    }

    /// The impression and every group ranked, archived and internal ones included.
    var ranking: RankResponse
    /// The published candidates, in the ranker's order.
    var published: [Candidate]

    /// Reads `ranking`'s groups as articles of `articles` (by key); only published ones are candidates.
    init(_ ranking: RankResponse, articles: [Int64: Article]) {
        self.ranking = ranking
        published = ranking.groups.compactMap { item in
            guard let article = articles[VectorIDs.articleKey(group: item.group)], article.status == .published else { return nil }
            return Candidate(item: item, article: article)
        }
    }

    /// The best published candidate: cited when answering, the suggestion handed to the agent when escalating.
    var best: Candidate? { published.first }

    /// The candidates as the response lists them.
    var sources: [AnswerSource] {
        published.map { candidate in
            AnswerSource(id: candidate.article.id, title: candidate.article.title, score: candidate.item.score.score,
                         similarity: Double(candidate.item.bestSimilarity))
        }
    }

    /// What the escalation rule reads of the best candidate.
    var bestForDecision: EscalationDecision.Candidate? {
        best.map { EscalationDecision.Candidate(topic: $0.article.topic, score: $0.item.score.score, lower: $0.item.score.lower) }
    }
}

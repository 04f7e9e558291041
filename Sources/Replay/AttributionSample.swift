import Foundation
import Support

/// The labelled sample ``SolveAttribution/replySimilarityThreshold`` is measured on
/// (`loopdesk replay --attribution-sample FILE`): for every label with an article and at least
/// four tickets, an agent's reply about the label — three of its tickets, as an agent who
/// restates the customer's problem and its fix would touch the same words — compared with
///
/// - the label's own article (the agent used the suggestion: should be credited);
/// - the nearest other article by embedding (the suggestion was another, similar article that
///   the agent did not use: must not be credited) — the hardest case there is in the data;
/// - and the label's whole article text against that nearest other article (what the replay's
///   `--solved-events` agents send).
///
/// The threshold chosen is the lowest on the grid at which at most 1 % of the hard negatives
/// would be credited.
public enum AttributionSample {
    /// One threshold of the sweep.
    public struct Point: Codable, Sendable {
        public var threshold: Double
        /// Share of positives credited (the suggestion was used and is credited).
        public var creditedWhenUsed: Double
        /// Share of hard negatives credited (a similar article the agent did not use).
        public var creditedWhenNotUsed: Double
        /// Share of the replay-style negatives credited.
        public var creditedWhenNotUsedReplay: Double

        enum CodingKeys: String, CodingKey {
            case threshold
            case creditedWhenUsed = "credited_when_used", creditedWhenNotUsed = "credited_when_not_used"
            case creditedWhenNotUsedReplay = "credited_when_not_used_replay"
        }
    }

    /// The measurement.
    public struct Result: Codable, Sendable {
        public var labels: Int
        public var embedder: String
        public var sweep: [Point]
        /// The lowest threshold with at most 1 % of hard negatives credited.
        public var chosen: Double?
        /// The threshold the service uses.
        public var inUse: Double
        /// Mean similarity of positives and hard negatives.
        public var meanUsed: Double
        public var meanNotUsed: Double

        enum CodingKeys: String, CodingKey {
            case labels, embedder, sweep, chosen
            case inUse = "in_use", meanUsed = "mean_used", meanNotUsed = "mean_not_used"
        }
    }

    /// Measures the sample of `dataset` with `embedder`.
    public static func measure(_ dataset: ReplayDataset, embedder: any TextEmbedder) -> Result {
        var articles: [String: ReplayArticle] = [:]
        for article in dataset.articles where articles[article.label] == nil { articles[article.label] = article }
        var ticketsByLabel: [String: [String]] = [:]
        for ticket in dataset.tickets where ticket.isInScope && articles[ticket.label] != nil {
            ticketsByLabel[ticket.label, default: []].append(ticket.text)
        }
        let labels = ticketsByLabel.keys.filter { ticketsByLabel[$0]!.count >= 4 }.sorted()
        let stored = Dictionary(uniqueKeysWithValues: labels.enumerated().map { index, label in
            let a = articles[label]!
            return (label, Article(key: Int64(index + 1), id: a.id, title: a.title, body: a.body, tags: [], status: .published,
                                   version: 1, origin: .knowledgeBase, createdAt: Date(timeIntervalSince1970: 0),
                                   updatedAt: Date(timeIntervalSince1970: 0)))
        })
        let articleVectors = embedder.embed(labels.map { stored[$0]!.embeddingText })
        var used: [Float] = [], notUsed: [Float] = [], notUsedReplay: [Float] = []
        for (index, label) in labels.enumerated() {
            // The nearest other article: the suggestion an agent would most plausibly have been handed instead.
            var nearest = -1
            var best = -Float.infinity
            for other in labels.indices where other != index {
                let similarity = zip(articleVectors[index], articleVectors[other]).reduce(0) { $0 + $1.0 * $1.1 }
                if similarity > best { best = similarity; nearest = other }
            }
            guard nearest >= 0 else { continue }
            let tickets = ticketsByLabel[label]!
            let reply = tickets[0..<3].joined(separator: ". ")
            let question = tickets[3]
            let own = stored[label]!, other = stored[labels[nearest]]!
            used.append(SolveAttribution.replySimilarity(reply: reply, question: question, article: own, embedder: embedder))
            notUsed.append(SolveAttribution.replySimilarity(reply: reply, question: question, article: other, embedder: embedder))
            notUsedReplay.append(SolveAttribution.replySimilarity(reply: articles[label]!.agentReplyText, question: question,
                                                                  article: other, embedder: embedder))
        }
        func share(_ values: [Float], atLeast threshold: Double) -> Double {
            values.isEmpty ? 0 : Double(values.filter { Double($0) >= threshold - 1e-9 }.count) / Double(values.count)
        }
        let grid = stride(from: 0.30, through: 0.951, by: 0.05).map { ($0 * 100).rounded() / 100 }
        let sweep = grid.map { t in
            Point(threshold: t, creditedWhenUsed: share(used, atLeast: t), creditedWhenNotUsed: share(notUsed, atLeast: t),
                  creditedWhenNotUsedReplay: share(notUsedReplay, atLeast: t))
        }
        func mean(_ values: [Float]) -> Double { values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) }
        return Result(labels: used.count, embedder: "\(embedder.identity)", sweep: sweep,
                      chosen: sweep.first { $0.creditedWhenNotUsed <= 0.01 }?.threshold,
                      inUse: Double(SolveAttribution.replySimilarityThreshold), meanUsed: mean(used), meanNotUsed: mean(notUsed))
    }
}

/// The context stream (`loopdesk replay --context-stream`): a labelled stream in
/// which the same words need different articles depending on the account's
/// context, made from any data set — the proof that context learning earns its place.
///
/// Every ticket gets two context entries, drawn per ticket from the seed:
/// - `product`: `alpha` or `beta`, evenly. For a seeded half of the in-scope
///   labels (``splitFraction``) the product decides the right article: label `L`
///   becomes `L@alpha` and `L@beta`, each with its own article (`L-alpha`, title
///   "Title (Alpha)", body "For Alpha accounts." and the original body) — two
///   articles whose words differ only in the product's name, so no question's
///   words can tell them apart. The other labels keep their one article whatever
///   the product.
/// - `plan`: `free`, `pro` or `team`, evenly, deciding nothing: the noise a real
///   account context carries, which context learning must learn to ignore.
///
/// Nothing else changes: the same texts in the same order, out-of-scope tickets
/// as they were (with context too). Without context no policy can do better on a
/// split label than one right answer in two; with it, the split labels are as
/// easy as the others.
public enum ContextStream {
    /// The share of in-scope labels split by product.
    public static let splitFraction = 0.5
    /// The values of the deciding key.
    public static let products = ["alpha", "beta"]
    /// The values of the noise key.
    public static let plans = ["free", "pro", "team"]

    /// The data set with context, and the split labels' articles.
    /// - Parameters:
    ///   - dataset: any labelled stream.
    ///   - seed: the seed of the split and of every ticket's context.
    public static func apply(to dataset: ReplayDataset, seed: UInt64) -> ReplayDataset {
        let labels = dataset.articles.map(\.label).reduce(into: [String]()) { seen, label in
            if label != ReplayDataset.outOfScopeLabel, !seen.contains(label) { seen.append(label) }
        }
        var random = SeededGenerator(seed: seed, stream: RandomStream.contextSplit, index: 0)
        var drawn = labels
        random.shuffle(&drawn)
        let split = Set(drawn.prefix(Int((Double(labels.count) * splitFraction).rounded())))

        var articles: [ReplayArticle] = []
        var done = Set<String>()
        for article in dataset.articles where done.insert(article.label).inserted {
            guard split.contains(article.label) else {
                articles.append(article)
                continue
            }
            for product in products {
                let name = product.prefix(1).uppercased() + product.dropFirst()
                articles.append(ReplayArticle(id: "\(article.id)-\(product)", title: "\(article.title) (\(name))",
                                              body: "For \(name) accounts.\n" + article.body, label: label(article.label, product)))
            }
        }
        let tickets = dataset.tickets.enumerated().map { index, ticket in
            var draw = SeededGenerator(seed: seed, stream: RandomStream.context, index: UInt64(index))
            let product = products[draw.integer(below: products.count)]
            let plan = plans[draw.integer(below: plans.count)]
            var out = ticket
            out.context = (ticket.context ?? [:]).merging(["product": product, "plan": plan]) { _, new in new }
            if split.contains(ticket.label) { out.label = label(ticket.label, product) }
            return out
        }
        return ReplayDataset(tickets: tickets, articles: articles)
    }

    /// The label of a split label's tickets under one product.
    public static func label(_ label: String, _ product: String) -> String { "\(label)@\(product)" }
}

import Primitives

/// A similarity-weighted vote of the nearest vectors among groups: each hit votes
/// for its group with weight exp(similarity / temperature). Sharper than a plain
/// count, it is the caller feature `intent_confidence` the ranker learns from, and
/// tells when the nearest questions were ones agents handled without an article.
struct NeighbourVote {
    /// Share of the vote per group, summing to 1 over the groups seen.
    var shares: [UInt64: Float] = [:]

    /// Softmax temperature over cosine similarities (measured on CLINC150: 0.05).
    static let temperature: Float = 0.05

    init(ids: [UInt64], distances: [Float], directory: AliasDirectory) {
        var total: Float = 0
        var weights: [UInt64: Float] = [:]
        guard let nearest = distances.first else { return }
        for (id, distance) in zip(ids, distances) {
            guard let group = directory.group(ofVector: id) else { continue }
            // Relative to the nearest hit, so the exponent never overflows.
            let weight = expf((nearest - distance) / Self.temperature)
            weights[group, default: 0] += weight
            total += weight
        }
        guard total > 0 else { return }
        for (group, weight) in weights { shares[group] = weight / total }
    }

    /// The vote given the question's context: each group's share times its context
    /// lift (``ContextEvidence``), renormalised — P(article | question) becomes
    /// P(article | question, context). No lift for a group leaves its share as it was.
    /// - Parameter logLifts: natural-log lifts per group (``AliasDirectory/contextLogLifts(of:given:)``).
    mutating func condition(onLogLifts logLifts: [UInt64: Double]) {
        guard !logLifts.isEmpty, !shares.isEmpty else { return }
        // Relative to the largest lift, so the exponent never overflows.
        let top = logLifts.values.max() ?? 0
        var weighted: [UInt64: Double] = [:]
        var total = 0.0
        for (group, share) in shares {
            let w = Double(share) * exp((logLifts[group] ?? 0) - max(top, 0))
            weighted[group] = w
            total += w
        }
        guard total > 0, total.isFinite else { return }
        for (group, w) in weighted { shares[group] = Float(w / total) }
    }
}

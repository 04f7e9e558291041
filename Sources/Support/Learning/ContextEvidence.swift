import Foundation

/// What the service's aliases say about account context: for each context
/// value, which articles questions asked with it turned out to need. It turns
/// the neighbour vote's P(article | question) into P(article | question,
/// context) the naive-Bayes way, so that after enough outcomes the same words
/// asked on `/reports` and on `/billing` vote for different articles without
/// anyone tagging an article.
///
/// Every active alias counts once, with the context hashes its question was
/// asked with (``ContextHash``). Because the evidence is the active aliases
/// and nothing else, taking an alias back (a reopen, an undo, an archived
/// article) takes its evidence back too, and a restart rebuilds it exactly.
///
/// For a query entry of key k and value t, and an article g:
///
///     lift(g) = (P(t | g, k) / P(t | k)) ^ γ(k, g)
///     P(t | k)    = n(t) / n(k)                        (aliases asked with k; with k = t)
///     P(t | g, k) = (n(t, g) + β · P(t | k)) / (n(k, g) + β)
///
/// β (``priorStrength``) pulls an article with few aliases towards "context says
/// nothing": an article never seen with key k has lift 1. γ(k, g)
/// (``relevance(ofKey:for:)``) is how much of the association between key k and
/// article g noise cannot explain, from the G-test of "g's aliases have k's
/// values in the proportions of all aliases": 0 for an article asked about alike
/// under every plan, towards 1 for one only ever needed with one product. It is
/// per article because a real context decides between a few articles and says
/// nothing about the rest. A key with more than ``maxValues`` values is an
/// identifier, not a category, and is left out, as are a value never seen and a
/// key no alias had. The lifts of the query's entries multiply.
struct ContextEvidence: Sendable {
    /// Pseudo-aliases per article behind the prior "this value is as common for this
    /// article as for all": with 5 aliases of an article, all asked with one value of a
    /// two-valued key, that value's P(t | g, k) is 6/7 against 1/2 overall.
    static let priorStrength = 2.0
    /// An article's association counts only for the part of its G statistic beyond this
    /// many times its degrees of freedom (G's expectation when the key says nothing): a
    /// noise key's G passes 3 df one time in 12 (1 df) to 20 (2 df), and then barely.
    static let noiseAllowance = 3.0
    /// Keys with more distinct values than this (a customer id, a session) are left out.
    static let maxValues = 64

    private struct Pair: Hashable {
        var hash: UInt64
        var group: UInt64
    }

    /// n(t, g) for each of key k's values t, per (k, g).
    private var valuesByKeyAndGroup: [Pair: [UInt64: Int]] = [:]
    /// n(k, g).
    private var byKeyAndGroup: [Pair: Int] = [:]
    /// n(t).
    private var byTag: [UInt64: Int] = [:]
    /// n(k), and how many distinct values it has.
    private var byKey: [UInt64: (aliases: Int, values: Int)] = [:]

    /// Whether any alias carried context.
    var isEmpty: Bool { byKey.isEmpty }

    /// Counts (`delta` +1) or takes back (−1) an alias of `group` asked with `context`.
    mutating func add(_ context: [ContextHash], group: UInt64, delta: Int) {
        var seen = Set<UInt64>()
        for entry in context where seen.insert(entry.key).inserted {   // one value per key and alias
            let pair = Pair(hash: entry.key, group: group)
            var values = valuesByKeyAndGroup[pair] ?? [:]
            let old = values[entry.tag] ?? 0
            if old == 0 && delta < 0 { continue }   // never counted: nothing to take back
            Self.bump(&values, entry.tag, delta)
            valuesByKeyAndGroup[pair] = values.isEmpty ? nil : values
            Self.bump(&byKeyAndGroup, pair, delta)
            let tagBefore = byTag[entry.tag] ?? 0
            Self.bump(&byTag, entry.tag, delta)
            let tagAfter = byTag[entry.tag] ?? 0
            var key = byKey[entry.key] ?? (0, 0)
            key.aliases += delta
            key.values += (tagAfter > 0 ? 1 : 0) - (tagBefore > 0 ? 1 : 0)
            byKey[entry.key] = key.aliases > 0 ? key : nil
        }
    }

    /// γ(k, g): 1 − allowance · df / G, clamped to 0…1, where
    /// G = 2 Σ_t n(t, g) ln(n(t, g) / (n(k, g) P(t | k))) over g's aliases and df = values of k − 1.
    func relevance(ofKey key: UInt64, for group: UInt64) -> Double {
        guard let k = byKey[key], (2...Self.maxValues).contains(k.values),
              let values = valuesByKeyAndGroup[Pair(hash: key, group: group)] else { return 0 }
        let nk = Double(k.aliases), nkg = Double(byKeyAndGroup[Pair(hash: key, group: group)] ?? 0)
        var g = 0.0
        for (tag, n) in values {
            let share = Double(byTag[tag] ?? 0) / nk
            g += 2 * Double(n) * log(Double(n) / (nkg * share))
        }
        guard g > 0 else { return 0 }
        return min(1, max(0, 1 - Self.noiseAllowance * Double(k.values - 1) / g))
    }

    /// The natural log of `group`'s lift given the query's context (0: context says nothing).
    func logLift(of group: UInt64, given query: [ContextHash]) -> Double {
        var sum = 0.0
        for entry in query {
            guard let key = byKey[entry.key], let nt = byTag[entry.tag] else { continue }
            let weight = relevance(ofKey: entry.key, for: group)
            guard weight > 0 else { continue }
            let share = Double(nt) / Double(key.aliases)
            let pair = Pair(hash: entry.key, group: group)
            let withGroup = Double(valuesByKeyAndGroup[pair]?[entry.tag] ?? 0)
            let keyWithGroup = Double(byKeyAndGroup[pair] ?? 0)
            let conditional = (withGroup + Self.priorStrength * share) / (keyWithGroup + Self.priorStrength)
            sum += weight * log(conditional / share)
        }
        return sum
    }

    private static func bump<K: Hashable>(_ table: inout [K: Int], _ key: K, _ delta: Int) {
        let value = max(0, (table[key] ?? 0) + delta)
        table[key] = value > 0 ? value : nil
    }
}

import Wire

/// Which group each learned alias vector belongs to, so the service can read a
/// plain SEARCH's hits as votes for articles (``NeighbourVote``).
///
/// A cache of the store's active aliases: filled from the store when the service
/// opens and kept current as this service adds or takes back aliases. An alias
/// another service instance added meanwhile is simply not counted until restart.
final class AliasDirectory: Sendable {
    private let groups = Locked<[UInt64: UInt64]>([:])

    init(store: any SupportStore) throws {
        var after: Int64 = 0
        var all: [UInt64: UInt64] = [:]
        while true {
            let page = try store.activeAliases(after: after, limit: 4096)
            guard let last = page.last else { break }
            for alias in page { all[VectorIDs.alias(alias.key)] = VectorIDs.group(alias.articleKey) }
            after = last.key
        }
        groups.withLock { $0 = all }
    }

    func add(alias key: Int64, article: Int64) {
        groups.withLock { $0[VectorIDs.alias(key)] = VectorIDs.group(article) }
    }

    func remove(alias key: Int64) {
        groups.withLock { $0[VectorIDs.alias(key)] = nil }
    }

    /// The group of a vector id: an article's own vector is its group; an unknown alias is nil.
    func group(ofVector id: UInt64) -> UInt64? {
        id < VectorIDs.aliasBase ? id : groups.withLock { $0[id] }
    }
}

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

    /// The group with the largest share.
    var leader: UInt64? { shares.max { $0.value < $1.value }?.key }
}

#if canImport(Glibc)
import Glibc
#endif

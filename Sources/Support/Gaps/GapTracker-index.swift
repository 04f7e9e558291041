import Foundation
import Wire

/// The core's gap collection: one vector per open cluster, an index rebuilt
/// from the store on first use; the store is scanned instead while the core is down.
extension GapTracker {
    /// The core tag of a cluster of `kind`, which SEARCH filters on.
    static func tag(_ kind: GapKind) -> String { "kind:\(kind.rawValue)" }

    /// The nearest open cluster of `kind`, from the core's index (checked against the
    /// store, which is the truth), or by scanning the store while the core is down.
    func nearestOpen(to vector: [Float], kind: GapKind, excluding: Int64?) async throws -> (GapRecord, Double)? {
        let list = try await nearestOpenList(to: vector, kind: kind, k: excluding == nil ? 4 : 5)
        return list.filter { $0.id != excluding }
            .map { ($0, GapMath.distance(vector, $0.centroid)) }
            .min { $0.1 < $1.1 }
    }

    func nearestOpenList(to vector: [Float], kind: GapKind, k: Int) async throws -> [GapRecord] {
        let collection = configuration.collection
        do {
            let result = try await index.run { client in
                try await client.search(collection: collection, query: vector, k: k, filter: TagFilter(allOf: [Self.tag(kind)]))
            }
            var found: [GapRecord] = []
            var stale: [UInt64] = []
            for id in result.ids {
                if let gap = try store.gap(id: Int64(id)), gap.status == .open, gap.kind == kind { found.append(gap) } else { stale.append(id) }
            }
            if !stale.isEmpty { await indexDelete(stale.map { Int64($0) }) }
            return found
        } catch let error as SupportError {
            guard case .coreUnavailable = error else { throw error }
            synced.withLock { $0 = false }
            return try store.gaps(kind: kind, status: .open, limit: 10_000)
                .sorted { GapMath.distance(vector, $0.centroid) < GapMath.distance(vector, $1.centroid) }
                .prefix(k).map { $0 }
        }
    }

    /// On first use (and after the core was unreachable), upserts every open cluster's centroid.
    func syncIndexIfNeeded() async {
        guard !synced.withLock({ $0 }) else { return }
        do {
            var open: [GapRecord] = []
            for kind in GapKind.allCases { open += try store.gaps(kind: kind, status: .open, limit: 100_000) }
            let dimension = index.dimension
            let usable = open.filter { $0.centroid.count == dimension }
            let collection = configuration.collection
            try await index.run { client in
                for start in stride(from: 0, to: usable.count, by: 512) {
                    let page = Array(usable[start..<min(start + 512, usable.count)])
                    _ = try await client.upsert(collection: collection, items: Self.items(page, dimension: dimension))
                }
            }
            synced.withLock { $0 = true }
        } catch {
            logger.warning("gap index not synced with the core yet: \(error)")
        }
    }

    static func items(_ gaps: [GapRecord], dimension: Int) -> ItemBatch {
        ItemBatch(dimension: dimension, ids: gaps.map { UInt64($0.id) }, vectors: gaps.flatMap { GapMath.normalized($0.centroid) },
                  groups: gaps.map { UInt64($0.id) }, tags: gaps.map { [tag($0.kind)] })
    }

    func indexUpsert(_ gap: GapRecord) async {
        let collection = configuration.collection, dimension = index.dimension
        guard gap.centroid.count == dimension else { return }
        do {
            try await index.run { client in _ = try await client.upsert(collection: collection, items: Self.items([gap], dimension: dimension)) }
        } catch {
            synced.withLock { $0 = false }
            logger.warning("gap \(gap.id) not indexed in the core yet: \(error)")
        }
    }

    func indexDelete(_ ids: [Int64]) async {
        let collection = configuration.collection
        do {
            try await index.run { client in _ = try await client.delete(collection: collection, ids: ids.map { UInt64($0) }) }
        } catch {
            synced.withLock { $0 = false }
            logger.warning("gaps \(ids) not removed from the core index yet: \(error)")
        }
    }
}

import Foundation
import Primitives
import VectorIndex
import Wire

/// Executes decoded requests against the collections and encodes each reply
/// (or error) as a whole frame: the one place that knows what every kind does.
///
/// The connection state machine (``Connection``) has already checked the
/// handshake and the request id; `HELLO` is answered there. `RANK` and
/// `FEEDBACK` are in `RequestDispatcher-ranking.swift`; kinds added by an
/// extension go through ``respond(extension:kind:payload:requestID:started:)``.
final class RequestDispatcher: Sendable {
    let registry: CollectionRegistry
    let stats: ServerStats
    let configuration: ServerConfiguration
    private let insertThreads: Int

    init(registry: CollectionRegistry, stats: ServerStats, configuration: ServerConfiguration) {
        self.registry = registry
        self.stats = stats
        self.configuration = configuration
        insertThreads = configuration.resolvedWorkerThreads
    }

    /// Whether `request` may run on a worker while its connection goes on
    /// reading. Writes stay on the connection's thread so that one
    /// connection's writes apply in the order it sent them (§9).
    static func mayOffload(_ request: Request) -> Bool {
        switch request {
        case .search, .get, .snapshot, .stats, .rank: true
        default: false
        }
    }

    /// Executes `request` and returns the response frame.
    /// - Parameter minor: the connection's negotiated minor version (reply layouts).
    func respond(_ request: Request, requestID: UInt32, minor: UInt16, started: UInt64) -> [UInt8] {
        let kind = request.kind
        let frame: [UInt8]
        do {
            frame = try execute(request, minor: minor).frame(requestID: requestID, flags: .response)
        } catch {
            let wire = ErrorMapping.wireError(error, kind: kind, collection: Self.collection(of: request))
            stats.recordError(wire.code)
            frame = ErrorPayload.frame(wire, kind: kind, requestID: requestID)
        }
        stats.record(kind, nanoseconds: Monotonic.now() &- started)
        return frame
    }

    /// Runs an extension's handler and frames its reply.
    func respond(extension handler: KindHandler, kind: MessageKind, payload: [UInt8], requestID: UInt32,
                 started: UInt64) -> [UInt8] {
        let frame: [UInt8]
        do {
            let reply = try handler.respond(payload, registry)
            frame = Frame.encode(kind: kind, flags: .response, requestID: requestID, capacity: reply.count) { $0.write(raw: reply) }
        } catch {
            let wire = ErrorMapping.wireError(error, kind: kind, collection: nil)
            stats.recordError(wire.code)
            frame = ErrorPayload.frame(wire, kind: kind, requestID: requestID)
        }
        stats.record(kind, nanoseconds: Monotonic.now() &- started)
        return frame
    }

    /// An error frame for a request refused before execution (handshake, id in use, undecodable).
    func refuse(_ error: WireError, kind: MessageKind, requestID: UInt32, started: UInt64) -> [UInt8] {
        stats.recordError(error.code)
        stats.record(kind, nanoseconds: Monotonic.now() &- started)
        return ErrorPayload.frame(error, kind: kind, requestID: requestID)
    }

    private static func collection(of request: Request) -> String? {
        switch request {
        case .createCollection(let r): r.name
        case .dropCollection(let r): r.name
        case .upsert(let r): r.collection
        case .delete(let r): r.collection
        case .get(let r): r.collection
        case .search(let r): r.collection
        case .rank(let r): r.collection
        case .feedback(let r): r.collection
        case .snapshot(let r): r.collection.isEmpty ? nil : r.collection
        case .stats(let r): r.collection.isEmpty ? nil : r.collection
        default: nil
        }
    }

    // MARK: - Each kind

    /// Executes `request` and returns its reply, or throws what ``ErrorMapping`` turns into an error frame.
    func execute(_ request: Request, minor: UInt16) throws -> any WireMessage {
        switch request {
        case .ping(let r): PingResponse(payload: r.payload)
        case .hello: throw WireError(.invalidArgument, "HELLO: this connection has already completed its handshake")
        case .createCollection(let r): try createCollection(r)
        case .dropCollection(let r): try dropCollection(r)
        case .listCollections: listCollections()
        case .upsert(let r): try upsert(r)
        case .delete(let r): try delete(r)
        case .get(let r): try get(r)
        case .search(let r): try search(r)
        case .rank(let r): try rank(r)
        case .feedback(let r): try feedback(r)
        case .snapshot(let r): try snapshot(r, minor: minor)
        case .stats(let r): try stats(r)
        }
    }

    private func createCollection(_ r: CreateCollectionRequest) throws -> CreateCollectionResponse {
        let metric: Metric = switch r.metric {
        case .cosine: .cosine
        case .innerProduct: .innerProduct
        case .l2: .l2
        }
        let storage: VectorStorage = switch r.storage {
        case .f32: .f32
        case .f16: .f16
        case .int8: .int8
        }
        let parameters = IndexParameters(dimension: r.dimension, metric: metric, M: r.m == 0 ? 16 : r.m,
                                         efConstruction: r.efConstruction == 0 ? 200 : r.efConstruction,
                                         storage: storage)
        return CreateCollectionResponse(created: try registry.create(r.name, parameters: parameters, existOK: r.existOK))
    }

    private func dropCollection(_ r: DropCollectionRequest) throws -> DropCollectionResponse {
        try registry.drop(r.name)
        return DropCollectionResponse()
    }

    private func listCollections() -> ListCollectionsResponse {
        ListCollectionsResponse(collections: registry.all().map { handle in
            let p = handle.collection.index.parameters
            return CollectionInfo(name: handle.name, dimension: p.dimension, metric: WireMetric(p.metric),
                                  storage: WireStorage(p.storage), m: p.M, efConstruction: p.efConstruction,
                                  count: UInt64(handle.collection.index.count))
        })
    }

    private func upsert(_ r: UpsertRequest) throws -> UpsertResponse {
        let handle = try registry.handle(r.collection, for: .upsert)
        let collection = handle.collection
        let batch = r.items
        try VectorCheck.dimension(batch.dimension, of: collection, in: .upsert)
        try VectorCheck.finite(batch.vectors, dim: batch.dimension, cosine: collection.index.parameters.metric == .cosine,
                               collection: r.collection, kind: .upsert) { "item id \(batch.ids[$0])" }
        var items: [UpsertItem] = []
        items.reserveCapacity(batch.count)
        for i in 0..<batch.count {
            items.append(UpsertItem(id: batch.ids[i], group: batch.groups?[i] ?? 0, tags: batch.tags?[i] ?? [],
                                    vector: Array(batch.vector(at: i))))
        }
        let threads = batch.count >= 64 ? insertThreads : 1
        let replaced = try handle.write(.upsert) { () throws -> (Int, UInt64?) in
            let replaced = batch.ids.reduce(0) { $0 + (collection.index.contains(id: $1) ? 1 : 0) }
            var sequence = try collection.upsert(items, threads: threads)
            if let ranking = handle.ranking {
                let change = RankingGroupTable.Change.upsert(time: CollectionRanking.now(),
                                                             items: items.map { (id: $0.id, group: $0.group, tags: $0.tags) })
                sequence = max(sequence, try ranking.record(change))
            }
            return (replaced, sequence)
        }
        return UpsertResponse(inserted: batch.count - replaced, replaced: replaced)
    }

    private func delete(_ r: DeleteRequest) throws -> DeleteResponse {
        let handle = try registry.handle(r.collection, for: .delete)
        let collection = handle.collection
        let deleted = try handle.write(.delete) { () throws -> (Int, UInt64?) in
            // Unknown ids are not an error (§7.7): log and apply only those that exist.
            let present = r.ids.filter { collection.index.contains(id: $0) }
            if present.isEmpty { return (0, nil) }
            var sequence = try collection.delete(ids: present)
            if let ranking = handle.ranking { sequence = max(sequence, try ranking.record(.delete(ids: present))) }
            return (present.count, sequence)
        }
        return DeleteResponse(deleted: deleted)
    }

    private func get(_ r: GetRequest) throws -> GetResponse {
        let handle = try registry.handle(r.collection, for: .get)
        let collection = handle.collection
        let dim = collection.index.parameters.dimension
        var ids: [UInt64] = [], vectors: [Float] = [], groups: [UInt64] = [], tags: [[String]] = []
        ids.reserveCapacity(r.ids.count)
        vectors.reserveCapacity(r.ids.count * dim)
        for id in r.ids {
            guard let stored = collection.index.get(id: id) else {
                if r.missingOK { continue }
                throw WireError(.unknownID, "GET \(r.collection): no item with id \(id); set MISSING_OK to skip unknown ids")
            }
            ids.append(id)
            vectors.append(contentsOf: stored.vector)
            groups.append(collection.group(of: id) ?? 0)
            tags.append(stored.tags)
        }
        return GetResponse(items: ItemBatch(dimension: dim, ids: ids, vectors: vectors, groups: groups, tags: tags))
    }

    private func search(_ r: SearchRequest) throws -> SearchResponse {
        let handle = try registry.handle(r.collection, for: .search)
        let index = handle.collection.index
        try VectorCheck.dimension(r.dimension, of: handle.collection, in: .search)
        try VectorCheck.finite(r.queries, dim: r.dimension, cosine: index.parameters.metric == .cosine,
                               collection: r.collection, kind: .search) { "query \($0)" }
        let filter = r.filter.isEmpty ? nil : Filter(allOf: r.filter.allOf, anyOf: r.filter.anyOf)
        let hits: [[SearchHit]]
        if r.exact {
            hits = try index.exactSearch(r.queries, k: r.k, filter: filter)
        } else {
            let ef = r.ef == 0 ? max(r.k, 64) : r.ef
            let n = r.queryCount
            hits = n == 1 ? [try index.search(r.queries, k: r.k, ef: ef, filter: filter)]
                : try index.searchBatch(r.queries, k: r.k, ef: ef, filter: filter, threads: n >= 8 ? insertThreads : 1)
        }
        return SearchResponse(results: hits.map { list in
            SearchResult(ids: list.map(\.id), distances: list.map(\.distance))
        })
    }

    private func snapshot(_ r: SnapshotRequest, minor: UInt16) throws -> SnapshotResponse {
        let handles = r.collection.isEmpty ? registry.all() : [try registry.handle(r.collection, for: .snapshot)]
        var infos: [Wire.SnapshotInfo] = []
        for handle in handles {
            let (path, info) = try handle.snapshot()
            infos.append(Wire.SnapshotInfo(collection: handle.name, sequence: info.walSequence,
                                           bytes: UInt64(Self.fileSize(path) ?? info.fileBytes), path: path))
        }
        return SnapshotResponse(snapshots: infos, layoutMinor: minor)
    }

    private func stats(_ r: StatsRequest) throws -> StatsResponse {
        let handles = r.collection.isEmpty ? registry.all() : [try registry.handle(r.collection, for: .stats)]
        return StatsResponse(json: stats.json(serverName: configuration.serverName, collections: handles))
    }

    private static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int
    }
}

extension WireMetric {
    /// The protocol's number for an index metric.
    init(_ metric: Metric) {
        self = switch metric {
        case .cosine: .cosine
        case .innerProduct: .innerProduct
        case .l2: .l2
        }
    }
}

extension WireStorage {
    /// The protocol's number for an index storage.
    init(_ storage: VectorStorage) {
        self = switch storage {
        case .f32: .f32
        case .f16: .f16
        case .int8: .int8
        }
    }
}

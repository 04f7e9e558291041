/// The typed methods of ``LoopdeskClient``: one per request of `docs/PROTOCOL.md` §7.
/// Each throws the server's ``WireError`` when it refuses the request, and a
/// ``ConnectionError`` when the connection is gone.
extension LoopdeskClient {
    /// Sends `PING` and waits for the echo.
    /// - Parameter payload: opaque bytes the server sends back.
    /// - Returns: the bytes echoed.
    @discardableResult
    public func ping(_ payload: [UInt8] = []) async throws -> [UInt8] {
        try await send(PingRequest(payload: payload)).payload
    }

    /// Creates a collection.
    /// - Parameters:
    ///   - m: HNSW `M`, 0 for the server's default.
    ///   - efConstruction: 0 for the server's default.
    ///   - existOK: succeed when an identical collection exists.
    /// - Returns: `true` if created, `false` if it already existed (only with `existOK`).
    /// - Throws: ``ErrorCode/collectionExists``, ``ErrorCode/invalidArgument``.
    @discardableResult
    public func createCollection(name: String, dimension: Int, metric: WireMetric = .cosine, storage: WireStorage = .f32,
                                 m: Int = 0, efConstruction: Int = 0, existOK: Bool = false) async throws -> Bool {
        try await send(CreateCollectionRequest(name: name, dimension: dimension, metric: metric, storage: storage,
                                               m: m, efConstruction: efConstruction, existOK: existOK)).created
    }

    /// Drops a collection and its files.
    /// - Throws: ``ErrorCode/unknownCollection``.
    public func dropCollection(name: String) async throws {
        _ = try await send(DropCollectionRequest(name: name))
    }

    /// Lists the collections, sorted by name.
    public func listCollections() async throws -> [CollectionInfo] {
        try await send(ListCollectionsRequest()).collections
    }

    /// Inserts or replaces a batch of items.
    /// - Returns: how many were inserted and how many replaced.
    /// - Throws: ``ErrorCode/wrongDimension``, ``ErrorCode/invalidVector``,
    ///   ``ErrorCode/invalidArgument`` (empty batch, duplicate ids) and the like.
    @discardableResult
    public func upsert(collection: String, items: ItemBatch) async throws -> UpsertResponse {
        try await send(UpsertRequest(collection: collection, items: items))
    }

    /// Deletes items by id; unknown ids are ignored.
    /// - Returns: how many of the ids existed.
    @discardableResult
    public func delete(collection: String, ids: [UInt64]) async throws -> Int {
        try await send(DeleteRequest(collection: collection, ids: ids)).deleted
    }

    /// Fetches items (vector, group, tags) by id, in request order.
    /// - Parameter missingOK: leave unknown ids out instead of throwing ``ErrorCode/unknownID``.
    public func get(collection: String, ids: [UInt64], missingOK: Bool = false) async throws -> ItemBatch {
        try await send(GetRequest(collection: collection, ids: ids, missingOK: missingOK)).items
    }

    /// Finds the `k` nearest items to one query vector.
    /// - Parameters:
    ///   - ef: 0 for the server's default, else at least `k`.
    ///   - exact: exhaustive search, for recall checks.
    /// - Returns: ids and distances, nearest first.
    public func search(collection: String, query: [Float], k: Int, ef: Int = 0, exact: Bool = false,
                       filter: TagFilter = .none) async throws -> SearchResult {
        let response = try await send(SearchRequest(collection: collection, query: query, k: k, ef: ef,
                                                    exact: exact, filter: filter))
        guard let first = response.results.first, response.results.count == 1 else {
            throw ConnectionError.protocolViolation(WireError(.malformedPayload,
                "SEARCH reply has \(response.results.count) results for 1 query"))
        }
        return first
    }

    /// Finds the `k` nearest items to each of several queries (`queries` row-major, `dimension` floats each).
    /// - Returns: one result per query, in order.
    public func search(collection: String, dimension: Int, queries: [Float], k: Int, ef: Int = 0, exact: Bool = false,
                       filter: TagFilter = .none) async throws -> [SearchResult] {
        try await send(SearchRequest(collection: collection, dimension: dimension, queries: queries, k: k, ef: ef,
                                     exact: exact, filter: filter)).results
    }

    /// Ranks the groups near `query` by the collection's learned P(resolved)
    /// (`RANK`, protocol 1.2) and logs an impression for ``feedback(collection:impression:group:outcome:time:)``.
    /// - Parameters:
    ///   - k: groups to return, 1–1000.
    ///   - candidates: vectors searched (C); 0 for the server's default (100).
    ///   - ef: 0 for `max(C, 64)`.
    ///   - contextTags: the query's context, matched against the groups' tags.
    ///   - callerFeatures: per-group values of named caller features (`lexical_overlap`, …), each in [-1, 1].
    /// - Returns: the impression id and the groups in the order to show, with score, bounds and features.
    /// - Throws: ``ErrorCode/unknownCallerFeature``, ``ErrorCode/callerFeatureOutOfRange``,
    ///   ``ErrorCode/rankingDisabled`` and the `SEARCH` errors.
    public func rank(collection: String, query: [Float], k: Int, candidates: Int = 0, ef: Int = 0,
                     withFeatures: Bool = true, filter: TagFilter = .none, contextTags: [String] = [],
                     callerFeatures: [CallerFeature] = []) async throws -> RankResponse {
        try await send(RankRequest(collection: collection, query: query, k: k, candidates: candidates, ef: ef,
                                   withFeatures: withFeatures, filter: filter, contextTags: contextTags,
                                   callerFeatures: callerFeatures))
    }

    /// Reports what happened after a ranked answer (`FEEDBACK`, protocol 1.2); the ranker learns at once.
    /// - Parameter time: seconds since the epoch; 0 for the server's clock.
    /// - Returns: the new scores — the named group first.
    /// - Throws: ``ErrorCode/unknownImpression``, ``ErrorCode/impressionExpired``,
    ///   ``ErrorCode/groupNotInImpression``, ``ErrorCode/outcomeAlreadyRecorded``, ``ErrorCode/invalidOutcome``.
    @discardableResult
    public func feedback(collection: String, impression: UInt64, group: UInt64, outcome: FeedbackOutcome,
                         time: Double = 0) async throws -> [GroupScore] {
        try await send(FeedbackRequest(collection: collection, impression: impression, group: group, outcome: outcome,
                                       time: time)).groups
    }

    /// Writes a durable snapshot of one collection, or of all (`collection` empty).
    /// - Returns: the files written.
    @discardableResult
    public func snapshot(collection: String = "") async throws -> [SnapshotInfo] {
        try await send(SnapshotRequest(collection: collection)).snapshots
    }

    /// Fetches the server's statistics as JSON (`docs/PROTOCOL.md` §7.12).
    /// - Parameter collection: one collection, or empty for all.
    /// - Returns: the JSON text.
    public func stats(collection: String = "") async throws -> String {
        try await send(StatsRequest(collection: collection)).json
    }
}

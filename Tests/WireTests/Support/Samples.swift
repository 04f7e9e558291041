import Wire

/// One valid instance of every request and reply, for round trips and seeds.
enum Samples {
    static let collectionInfo = CollectionInfo(name: "kb", dimension: 3, metric: .innerProduct, storage: .f16,
                                               m: 16, efConstruction: 200, count: 42)

    static let items = ItemBatch(dimension: 3, ids: [7, 1 << 40, 9],
                                 vectors: [0.5, -1, 2, 3.25, 0, -0.125, 1e-3, 1e6, -7],
                                 groups: [0, 77, 77], tags: [["plan:trial", "page:/billing"], [], ["ünïcode"]])

    static let requests: [Request] = [
        .hello(HelloRequest(clientName: "tests")),
        .ping(PingRequest(payload: [])),
        .ping(PingRequest(payload: Array(0...255))),
        .createCollection(CreateCollectionRequest(name: "kb_1.v-2", dimension: 384, metric: .l2, storage: .int8,
                                                  m: 32, efConstruction: 400, existOK: true)),
        .createCollection(CreateCollectionRequest(name: "kb", dimension: 1)),
        .dropCollection(DropCollectionRequest(name: "kb")),
        .listCollections(ListCollectionsRequest()),
        .upsert(UpsertRequest(collection: "kb", items: items)),
        .upsert(UpsertRequest(collection: "kb", items: ItemBatch(dimension: 1, ids: [1], vectors: [1]))),
        .delete(DeleteRequest(collection: "kb", ids: [1, 2, UInt64.max])),
        .get(GetRequest(collection: "kb", ids: [5], missingOK: true)),
        .search(SearchRequest(collection: "kb", query: [1, 2, 3], k: 10)),
        .search(SearchRequest(collection: "kb", dimension: 2, queries: [1, 2, 3, 4, 5, 6], k: 3, ef: 64, exact: true,
                              filter: TagFilter(allOf: ["a", "b"], anyOf: ["c"]))),
        .rank(RankRequest(collection: "kb", query: [1, 2, 3], k: 5)),
        .rank(RankRequest(collection: "kb", query: [0.5, -1], k: 3, candidates: 200, ef: 400, withFeatures: false,
                          filter: TagFilter(allOf: ["lang:en"], anyOf: ["a", "b"]), contextTags: ["plan:trial", "page:/billing"],
                          callerFeatures: [CallerFeature(name: "lexical_overlap", groups: [7, 1 << 40], values: [0.25, -1]),
                                           CallerFeature(name: "bm25", groups: [], values: [])])),
        .feedback(FeedbackRequest(collection: "kb", impression: 12, group: 77, outcome: .resolved)),
        .feedback(FeedbackRequest(collection: "kb", impression: 12, group: 77, outcome: .escalated, time: 1_764_000_000.5)),
        .feedback(FeedbackRequest(collection: "kb", impression: 12, group: 77, outcome: .corrected(groupUsedInstead: 78))),
        .feedback(FeedbackRequest(collection: "kb", impression: 12, group: 77, outcome: .corrected(groupUsedInstead: nil))),
        .feedback(FeedbackRequest(collection: "kb", impression: 12, group: 77, outcome: .csat(4))),
        .feedback(FeedbackRequest(collection: "kb", impression: .max, group: 0, outcome: .reopened)),
        .snapshot(SnapshotRequest()),
        .snapshot(SnapshotRequest(collection: "kb")),
        .stats(StatsRequest()),
        .stats(StatsRequest(collection: "kb")),
    ]

    static let responses: [Response] = [
        .hello(HelloResponse(minor: 0, maxPayloadLength: 1 << 20, maxInFlight: 128, serverName: "loopdesk-core 0.1")),
        .ping(PingResponse(payload: [1, 2, 3])),
        .createCollection(CreateCollectionResponse(created: false)),
        .dropCollection(DropCollectionResponse()),
        .listCollections(ListCollectionsResponse(collections: [collectionInfo, collectionInfo])),
        .listCollections(ListCollectionsResponse(collections: [])),
        .upsert(UpsertResponse(inserted: 3, replaced: 1)),
        .delete(DeleteResponse(deleted: 2)),
        .get(GetResponse(items: items)),
        .search(SearchResponse(results: [SearchResult(ids: [3, 1], distances: [0.1, 0.2]),
                                         SearchResult(ids: [], distances: [])])),
        .rank(RankResponse(impression: 41, explored: true, featureNames: ["bias", "best_similarity"], groups: [
            RankedItem(group: 77, bestVector: 7, bestSimilarity: 0.93, score: RankScore(score: 0.71, lower: 0.52, upper: 0.85),
                       propensity: 0.98, features: [1, 0.93]),
            RankedItem(group: 3, bestVector: 1 << 40, bestSimilarity: -0.25, score: RankScore(score: 0.2, lower: 0.1, upper: 0.3),
                       propensity: 0.01, features: [1, -0.25]),
        ])),
        .rank(RankResponse(impression: 0, explored: false, featureNames: [], groups: [])),
        .feedback(FeedbackResponse(groups: [GroupScore(group: 77, score: RankScore(score: 0.75, lower: 0.6, upper: 0.86)),
                                            GroupScore(group: 78, score: RankScore(score: 0.4, lower: 0.2, upper: 0.62))])),
        .snapshot(SnapshotResponse(snapshots: [SnapshotInfo(collection: "kb", sequence: 9, bytes: 123_456,
                                                             path: "/data/collections/kb/snapshot-9.ldx")])),
        .stats(StatsResponse(json: #"{"server":{"uptime_seconds":1.5}}"#)),
    ]
}

import Primitives

/// Which tags an item must carry to be a search result (§7.9): every tag of
/// ``allOf`` and, when ``anyOf`` is not empty, at least one of ``anyOf``.
public struct TagFilter: Sendable, Equatable, Hashable {
    /// Tags an item must all carry (`u8 allCount, allCount × str`); at most 64, each 1–255 bytes.
    public var allOf: [String]
    /// Tags of which an item must carry at least one; empty means no condition. At most 64, each 1–255 bytes.
    public var anyOf: [String]

    /// Creates a filter; the default is no condition (``none``).
    public init(allOf: [String] = [], anyOf: [String] = []) {
        self.allOf = allOf
        self.anyOf = anyOf
    }

    /// No condition.
    public static let none = TagFilter()
    /// Whether the filter lets every item through (both lists empty).
    public var isEmpty: Bool { allOf.isEmpty && anyOf.isEmpty }
}

/// `SEARCH` request (§7.9): k nearest neighbours of one or several queries.
public struct SearchRequest: WireRequest {
    /// A `SEARCH` is answered by a ``SearchResponse`` with one result per query.
    public typealias Response = SearchResponse
    /// `SEARCH` travels as kind `0x30`.
    public static let kind = MessageKind.search

    /// Name of the collection to search (1–64 bytes of `[A-Za-z0-9_.-]`, not starting with `.`).
    public var collection: String
    /// Components per query vector (`u32 dim`), 1–16384; must equal the
    /// collection's, which the server checks (``ErrorCode/wrongDimension``).
    public var dimension: Int
    /// `queryCount × dimension` floats, row-major.
    public var queries: [Float]
    /// Neighbours wanted per query (`u32 k`), 1–10000; fewer come back when fewer items match.
    public var k: Int
    /// HNSW search breadth (`u32 ef`): 0 for the server's default (`max(k, 64)`);
    /// otherwise `k`–100000.
    public var ef: Int
    /// Exhaustive search instead of HNSW (for recall checks); `ef` is ignored.
    public var exact: Bool
    /// The tag condition every result must meet; ``TagFilter/none`` for none.
    public var filter: TagFilter

    /// Creates a search for `queries.count / dimension` query vectors sent as one row-major block.
    public init(collection: String, dimension: Int, queries: [Float], k: Int, ef: Int = 0,
                exact: Bool = false, filter: TagFilter = .none) {
        self.collection = collection
        self.dimension = dimension
        self.queries = queries
        self.k = k
        self.ef = ef
        self.exact = exact
        self.filter = filter
    }

    /// Creates a search for a single query vector.
    public init(collection: String, query: [Float], k: Int, ef: Int = 0, exact: Bool = false, filter: TagFilter = .none) {
        self.init(collection: collection, dimension: query.count, queries: query, k: k, ef: ef, exact: exact, filter: filter)
    }

    /// Number of query vectors.
    public var queryCount: Int { dimension > 0 ? queries.count / dimension : 0 }

    /// The payload size, a few bytes over: fixed fields, tags and `queryCount × dim` floats.
    public var encodedSizeHint: Int {
        24 + collection.utf8.count + queries.count * 4
            + (filter.allOf + filter.anyOf).reduce(0) { $0 + 2 + $1.utf8.count }
    }

    /// Writes `str collection, u32 dim, u32 queryCount, u32 k, u32 ef, u8 options
    /// (bit 0 EXACT)`, the two tag lists, then the query block. Integers are
    /// truncated to their field's width, so call ``validate()`` first (the clients do).
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt32(truncatingIfNeeded: dimension))
        writer.write(UInt32(truncatingIfNeeded: queryCount))
        writer.write(UInt32(truncatingIfNeeded: k))
        writer.write(UInt32(truncatingIfNeeded: ef))
        writer.write(UInt8(exact ? 1 : 0))
        writer.writeTagList(filter.allOf)
        writer.writeTagList(filter.anyOf)
        writer.write(floats: queries)
    }

    /// Reads the request in its wire order.
    /// - Throws: ``ErrorCode/malformedPayload`` when a field is truncated, a string
    ///   is not UTF-8, `options` has a bit other than `EXACT` set, or the query block
    ///   is shorter than `queryCount × dim` floats.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        dimension = Int(try reader.read(UInt32.self, "dim"))
        let queryCount = Int(try reader.read(UInt32.self, "queryCount"))
        k = Int(try reader.read(UInt32.self, "k"))
        ef = Int(try reader.read(UInt32.self, "ef"))
        exact = try reader.readOptions(known: 0x01, "options") & 0x01 != 0
        let allOf = try reader.readTagList("allOf")
        let anyOf = try reader.readTagList("anyOf")
        filter = TagFilter(allOf: allOf, anyOf: anyOf)
        queries = try reader.readFloats(count: reader.readElementCount(queryCount, times: dimension, "queries"), "queries")
    }

    /// Checks the collection name, the dimension (1–16384), that there is at least
    /// one query and a whole number of them, `k` (1–10000), `ef` (0, or `k`–100000)
    /// and the tag rules of both filter lists.
    /// - Throws: ``ErrorCode/invalidArgument`` naming the field and its value.
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "SEARCH")
        try Validate.dimension(dimension, in: "SEARCH")
        guard !queries.isEmpty else { throw WireError(.invalidArgument, "SEARCH: no query vector; send at least one") }
        guard queries.count % dimension == 0 else {
            throw WireError(.invalidArgument, "SEARCH: \(queries.count) floats is not a whole number of \(dimension)-d queries")
        }
        guard queryCount <= Int(UInt32.max) else { throw WireError(.invalidArgument, "SEARCH: too many queries") }
        guard WireLimits.k.contains(k) else { throw WireError(.invalidArgument, "SEARCH: k = \(k) is outside 1–10000") }
        guard ef == 0 || (ef >= k && ef <= WireLimits.maxEf) else {
            throw WireError(.invalidArgument, "SEARCH: ef = \(ef) must be 0 (default) or between k = \(k) and 100000")
        }
        try Validate.tags(filter.allOf, field: "filter allOf", in: "SEARCH")
        try Validate.tags(filter.anyOf, field: "filter anyOf", in: "SEARCH")
    }
}

/// The neighbours of one query, nearest first.
public struct SearchResult: Sendable, Equatable {
    /// The neighbours' item ids, nearest first; at most `k`, fewer when fewer items match.
    public var ids: [UInt64]
    /// Ascending; same length as ``ids``.
    public var distances: [Float]

    /// Creates a result; `ids` and `distances` must have the same length.
    public init(ids: [UInt64], distances: [Float]) {
        self.ids = ids
        self.distances = distances
    }
}

/// `SEARCH` reply: one ``SearchResult`` per query, in request order.
public struct SearchResponse: WireMessage {
    /// The `SEARCH` reply travels as kind `0x30`, like the request.
    public static let kind = MessageKind.search

    /// One result per query, in the order of the request's queries.
    public var results: [SearchResult]
    /// Creates the reply from the per-query results.
    public init(results: [SearchResult]) { self.results = results }

    /// The exact payload size: 4 bytes per result and 12 per neighbour, plus the count.
    public var encodedSizeHint: Int { 4 + results.reduce(0) { $0 + 4 + $1.ids.count * 12 } }

    /// Writes `u32 queryCount`, then per query `u32 n, u64[n] ids, f32[n] distances`.
    /// - Precondition: every result has as many distances as ids.
    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: results.count))
        for result in results {
            precondition(result.ids.count == result.distances.count, "SearchResult ids and distances differ in length")
            writer.write(UInt32(truncatingIfNeeded: result.ids.count))
            writer.write(uint64s: result.ids)
            writer.write(floats: result.distances)
        }
    }

    /// Reads the per-query results.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "queryCount"))
        var list: [SearchResult] = []
        list.reserveCapacity(min(count, reader.remaining / 4))
        for _ in 0..<count {
            let n = Int(try reader.read(UInt32.self, "n"))
            let ids = try reader.readUInt64s(count: n, "ids")
            let distances = try reader.readFloats(count: n, "distances")
            list.append(SearchResult(ids: ids, distances: distances))
        }
        results = list
    }
}

/// Any request a client can send, decoded from a frame: what the server's
/// dispatcher switches on.
public enum Request: Sendable, Equatable {
    /// `HELLO` (`0x01`): the handshake.
    case hello(HelloRequest)
    /// `PING` (`0x02`): bytes to echo.
    case ping(PingRequest)
    /// `CREATE_COLLECTION` (`0x10`).
    case createCollection(CreateCollectionRequest)
    /// `DROP_COLLECTION` (`0x11`).
    case dropCollection(DropCollectionRequest)
    /// `LIST_COLLECTIONS` (`0x12`), an empty payload.
    case listCollections(ListCollectionsRequest)
    /// `UPSERT` (`0x20`): an item batch to write.
    case upsert(UpsertRequest)
    /// `DELETE` (`0x21`): ids to remove.
    case delete(DeleteRequest)
    /// `GET` (`0x22`): ids to read back.
    case get(GetRequest)
    /// `SEARCH` (`0x30`): k-nearest-neighbour queries.
    case search(SearchRequest)
    /// `RANK` (`0x31`, protocol 1.2): a query to rank groups for.
    case rank(RankRequest)
    /// `FEEDBACK` (`0x32`, protocol 1.2): the outcome of a ranked group.
    case feedback(FeedbackRequest)
    /// `SNAPSHOT` (`0x40`): snapshot one collection or all.
    case snapshot(SnapshotRequest)
    /// `STATS` (`0x41`): statistics of the server and one or all collections.
    case stats(StatsRequest)

    /// Decodes and validates a request frame's payload.
    ///
    /// The header must already have passed ``FrameHeader/validateAsRequest()``.
    /// Every error thrown here concerns this request only: the server answers
    /// it with an error frame and goes on with the connection.
    /// - Parameters:
    ///   - kind: the header's kind.
    ///   - payload: the payload bytes.
    /// - Returns: the typed request.
    /// - Throws: ``ErrorCode/unknownKind`` (unassigned or reserved),
    ///   ``ErrorCode/malformedPayload`` (bytes break the layout) or
    ///   ``ErrorCode/invalidArgument`` (a field out of range).
    public static func decode(kind: MessageKind, payload: UnsafeRawBufferPointer) throws(WireError) -> Request {
        switch kind {
        case .hello: .hello(try decoded(HelloRequest.self, payload))
        case .ping: .ping(try decoded(PingRequest.self, payload))
        case .createCollection: .createCollection(try decoded(CreateCollectionRequest.self, payload))
        case .dropCollection: .dropCollection(try decoded(DropCollectionRequest.self, payload))
        case .listCollections: .listCollections(try decoded(ListCollectionsRequest.self, payload))
        case .upsert: .upsert(try decoded(UpsertRequest.self, payload))
        case .delete: .delete(try decoded(DeleteRequest.self, payload))
        case .get: .get(try decoded(GetRequest.self, payload))
        case .search: .search(try decoded(SearchRequest.self, payload))
        case .snapshot: .snapshot(try decoded(SnapshotRequest.self, payload))
        case .stats: .stats(try decoded(StatsRequest.self, payload))
        case .rank: .rank(try decoded(RankRequest.self, payload))
        case .feedback: .feedback(try decoded(FeedbackRequest.self, payload))
        default:
            throw WireError(.unknownKind, "\(kind.name) is not a request kind of protocol \(WireProtocol.majorVersion).\(WireProtocol.minorVersion)")
        }
    }

    /// Decodes and validates a request from an array (tests, tools).
    public static func decode(kind: MessageKind, payload: [UInt8]) throws(WireError) -> Request {
        try withPayload(payload) { (bytes) throws(WireError) -> Request in try decode(kind: kind, payload: bytes) }
    }

    private static func decoded<M: WireRequest>(_: M.Type, _ payload: UnsafeRawBufferPointer) throws(WireError) -> M {
        let message = try M.decode(payload: payload)
        try message.validate()
        return message
    }

    /// The message inside, as its protocol.
    public var message: any WireMessage {
        switch self {
        case .hello(let m): m
        case .ping(let m): m
        case .createCollection(let m): m
        case .dropCollection(let m): m
        case .listCollections(let m): m
        case .upsert(let m): m
        case .delete(let m): m
        case .get(let m): m
        case .search(let m): m
        case .rank(let m): m
        case .feedback(let m): m
        case .snapshot(let m): m
        case .stats(let m): m
        }
    }

    /// The frame kind of this request.
    public var kind: MessageKind { type(of: message).kind }

    /// Encodes this request as a frame with `requestID`.
    public func frame(requestID: UInt32) -> [UInt8] { message.frame(requestID: requestID) }
}

/// Any successful reply, decoded from a frame whose kind is known; what a
/// generic tool (or the fuzzer) uses when it does not know the request type.
public enum Response: Sendable, Equatable {
    /// Reply to `HELLO`: negotiated version and server limits.
    case hello(HelloResponse)
    /// Reply to `PING`: the echoed bytes.
    case ping(PingResponse)
    /// Reply to `CREATE_COLLECTION`: whether it was created.
    case createCollection(CreateCollectionResponse)
    /// Reply to `DROP_COLLECTION` (empty).
    case dropCollection(DropCollectionResponse)
    /// Reply to `LIST_COLLECTIONS`: the collections, sorted by name.
    case listCollections(ListCollectionsResponse)
    /// Reply to `UPSERT`: inserted and replaced counts.
    case upsert(UpsertResponse)
    /// Reply to `DELETE`: how many ids existed.
    case delete(DeleteResponse)
    /// Reply to `GET`: the items found.
    case get(GetResponse)
    /// Reply to `SEARCH`: ids and distances per query.
    case search(SearchResponse)
    /// Reply to `RANK`: the impression and the ranked groups.
    case rank(RankResponse)
    /// Reply to `FEEDBACK`: the rescored groups.
    case feedback(FeedbackResponse)
    /// Reply to `SNAPSHOT`: the files written.
    case snapshot(SnapshotResponse)
    /// Reply to `STATS`: the JSON document.
    case stats(StatsResponse)

    /// Decodes a successful reply's payload (not an error frame: see ``ErrorPayload``).
    /// - Throws: ``ErrorCode/unknownKind`` or ``ErrorCode/malformedPayload``.
    public static func decode(kind: MessageKind, payload: UnsafeRawBufferPointer) throws(WireError) -> Response {
        switch kind {
        case .hello: .hello(try HelloResponse.decode(payload: payload))
        case .ping: .ping(try PingResponse.decode(payload: payload))
        case .createCollection: .createCollection(try CreateCollectionResponse.decode(payload: payload))
        case .dropCollection: .dropCollection(try DropCollectionResponse.decode(payload: payload))
        case .listCollections: .listCollections(try ListCollectionsResponse.decode(payload: payload))
        case .upsert: .upsert(try UpsertResponse.decode(payload: payload))
        case .delete: .delete(try DeleteResponse.decode(payload: payload))
        case .get: .get(try GetResponse.decode(payload: payload))
        case .search: .search(try SearchResponse.decode(payload: payload))
        case .rank: .rank(try RankResponse.decode(payload: payload))
        case .feedback: .feedback(try FeedbackResponse.decode(payload: payload))
        case .snapshot: .snapshot(try SnapshotResponse.decode(payload: payload))
        case .stats: .stats(try StatsResponse.decode(payload: payload))
        default: throw WireError(.unknownKind, "\(kind.name) has no reply layout in protocol \(WireProtocol.majorVersion).\(WireProtocol.minorVersion)")
        }
    }

    /// Decodes a reply from an array (tests, tools).
    public static func decode(kind: MessageKind, payload: [UInt8]) throws(WireError) -> Response {
        try withPayload(payload) { (bytes) throws(WireError) -> Response in try decode(kind: kind, payload: bytes) }
    }

    /// The message inside, as its protocol.
    public var message: any WireMessage {
        switch self {
        case .hello(let m): m
        case .ping(let m): m
        case .createCollection(let m): m
        case .dropCollection(let m): m
        case .listCollections(let m): m
        case .upsert(let m): m
        case .delete(let m): m
        case .get(let m): m
        case .search(let m): m
        case .rank(let m): m
        case .feedback(let m): m
        case .snapshot(let m): m
        case .stats(let m): m
        }
    }

    /// The frame kind of this reply.
    public var kind: MessageKind { type(of: message).kind }

    /// Encodes this reply as a frame answering `requestID` (flags `RESPONSE`).
    public func frame(requestID: UInt32) -> [UInt8] { message.frame(requestID: requestID, flags: .response) }
}

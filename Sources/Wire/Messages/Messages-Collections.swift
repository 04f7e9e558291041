import Primitives

/// A collection's distance metric as the protocol numbers it (`docs/PROTOCOL.md` §4).
public enum WireMetric: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Distance `1 − cos(a, b)`.
    case cosine = 0
    /// Distance `1 − a·b`.
    case innerProduct = 1
    /// Squared Euclidean distance.
    case l2 = 2

    /// The spelling used by the CLI and `STATS` (`cosine`, `ip`, `l2`).
    public var description: String {
        switch self {
        case .cosine: "cosine"
        case .innerProduct: "ip"
        case .l2: "l2"
        }
    }
}

/// How a collection stores its vectors; vectors always travel as f32.
public enum WireStorage: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Four bytes per component, exact.
    case f32 = 0
    /// Half precision, two bytes per component; `GET` returns approximately what was stored.
    case f16 = 1
    /// Scalar-quantised to 8 bits per component.
    case int8 = 2

    /// The spelling used by the CLI and `STATS` (`f32`, `f16`, `int8`).
    public var description: String {
        switch self {
        case .f32: "f32"
        case .f16: "f16"
        case .int8: "int8"
        }
    }
}

/// `CREATE_COLLECTION` request (§7.2).
public struct CreateCollectionRequest: WireRequest {
    /// A `CREATE_COLLECTION` is answered by a ``CreateCollectionResponse`` saying whether it created one.
    public typealias Response = CreateCollectionResponse
    /// `CREATE_COLLECTION` travels as kind `0x10`.
    public static let kind = MessageKind.createCollection

    /// Name of the new collection: 1–64 bytes of `[A-Za-z0-9_.-]`, not starting
    /// with `.` (it becomes a directory name on the server).
    public var name: String
    /// Components per vector (`u32 dim`), 1–16384; every vector upserted or
    /// searched later must have exactly this many.
    public var dimension: Int
    /// How distances are measured (`u8 metric`); cosine unless given.
    public var metric: WireMetric
    /// How the server stores the vectors (`u8 storage`); they always travel as f32.
    public var storage: WireStorage
    /// HNSW `M`; 0 for the server's default.
    public var m: Int
    /// HNSW `efConstruction`; 0 for the server's default.
    public var efConstruction: Int
    /// Succeed (with `created == false`) when an identical collection exists.
    public var existOK: Bool

    /// Creates the request; `M` and `efConstruction` default to 0, the server's defaults (16 and 200).
    public init(name: String, dimension: Int, metric: WireMetric = .cosine, storage: WireStorage = .f32,
                m: Int = 0, efConstruction: Int = 0, existOK: Bool = false) {
        self.name = name
        self.dimension = dimension
        self.metric = metric
        self.storage = storage
        self.m = m
        self.efConstruction = efConstruction
        self.existOK = existOK
    }

    /// Writes `str name, u32 dim, u8 metric, u8 storage, u16 M, u32 efConstruction, u8 options`.
    /// Integers are truncated to their field's width, so call ``validate()`` first (the clients do).
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: name)
        writer.write(UInt32(truncatingIfNeeded: dimension))
        writer.write(metric.rawValue)
        writer.write(storage.rawValue)
        writer.write(UInt16(truncatingIfNeeded: m))
        writer.write(UInt32(truncatingIfNeeded: efConstruction))
        writer.write(UInt8(existOK ? 1 : 0))
    }

    /// Reads the request's seven fields.
    /// - Throws: ``ErrorCode/malformedPayload`` when a field is truncated, the name
    ///   is not UTF-8, `metric` or `storage` is outside its table, or `options` has
    ///   a bit other than `EXIST_OK` set.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        name = try reader.readString("name")
        dimension = Int(try reader.read(UInt32.self, "dim"))
        metric = try reader.readEnum(WireMetric.self, "metric", choices: "0 cosine, 1 ip, 2 l2")
        storage = try reader.readEnum(WireStorage.self, "storage", choices: "0 f32, 1 f16, 2 int8")
        m = Int(try reader.read(UInt16.self, "M"))
        efConstruction = Int(try reader.read(UInt32.self, "efConstruction"))
        existOK = try reader.readOptions(known: 0x01, "options") & 0x01 != 0
    }

    /// Checks the name, the dimension (1–16384), `M` (0 or 2–512) and
    /// `efConstruction` (0 or 1–100000).
    /// - Throws: ``ErrorCode/invalidArgument`` naming the field and its value.
    public func validate() throws(WireError) {
        try Validate.collectionName(name, in: "CREATE_COLLECTION")
        try Validate.dimension(dimension, in: "CREATE_COLLECTION")
        guard m == 0 || WireLimits.m.contains(m) else {
            throw WireError(.invalidArgument, "CREATE_COLLECTION: M \(m) is outside 2–512 (0 for the default)")
        }
        guard efConstruction == 0 || WireLimits.efConstruction.contains(efConstruction) else {
            throw WireError(.invalidArgument,
                            "CREATE_COLLECTION: efConstruction \(efConstruction) is outside 1–100000 (0 for the default)")
        }
    }
}

/// `CREATE_COLLECTION` reply.
public struct CreateCollectionResponse: WireMessage {
    /// The `CREATE_COLLECTION` reply travels as kind `0x10`, like the request.
    public static let kind = MessageKind.createCollection

    /// `false` when an identical collection already existed and `existOK` was set.
    public var created: Bool
    /// Creates the reply; `created` is `false` only for an `EXIST_OK` request that found an identical collection.
    public init(created: Bool) { self.created = created }

    /// Writes `u8 created`: 1 or 0.
    public func encode(into writer: inout ByteWriter) { writer.write(UInt8(created ? 1 : 0)) }
    /// Reads `u8 created`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the byte is missing or neither 0 nor 1.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let raw = try reader.read(UInt8.self, "created")
        guard raw <= 1 else { throw WireError(.malformedPayload, "CREATE_COLLECTION reply created is \(raw), expected 0 or 1") }
        created = raw == 1
    }
}

/// `DROP_COLLECTION` request (§7.3).
public struct DropCollectionRequest: WireRequest {
    /// A `DROP_COLLECTION` is answered by an empty ``DropCollectionResponse``.
    public typealias Response = DropCollectionResponse
    /// `DROP_COLLECTION` travels as kind `0x11`.
    public static let kind = MessageKind.dropCollection

    /// Name of the collection to remove with its vectors and files (1–64 bytes of `[A-Za-z0-9_.-]`).
    public var name: String
    /// Creates the request to drop `name`.
    public init(name: String) { self.name = name }

    /// Writes `str name`.
    public func encode(into writer: inout ByteWriter) { writer.write(string: name) }
    /// Reads `str name`.
    /// - Throws: ``ErrorCode/malformedPayload`` when it is truncated or not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { name = try reader.readString("name") }
    /// Checks the collection name's rules.
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name.
    public func validate() throws(WireError) { try Validate.collectionName(name, in: "DROP_COLLECTION") }
}

/// `DROP_COLLECTION` reply (empty).
public struct DropCollectionResponse: WireMessage {
    /// The `DROP_COLLECTION` reply travels as kind `0x11`, like the request.
    public static let kind = MessageKind.dropCollection
    /// The reply has no fields.
    public init() {}
    /// Writes nothing: the reply's payload is empty.
    public func encode(into writer: inout ByteWriter) {}
    /// Reads nothing; a non-empty payload fails in ``WireMessage/decode(payload:)`` as trailing bytes.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {}
}

/// `LIST_COLLECTIONS` request (§7.4, empty).
public struct ListCollectionsRequest: WireRequest {
    /// A `LIST_COLLECTIONS` is answered by a ``ListCollectionsResponse``.
    public typealias Response = ListCollectionsResponse
    /// `LIST_COLLECTIONS` travels as kind `0x12`.
    public static let kind = MessageKind.listCollections
    /// The request has no fields.
    public init() {}
    /// Writes nothing: the request's payload is empty.
    public func encode(into writer: inout ByteWriter) {}
    /// Reads nothing; a non-empty payload fails in ``WireMessage/decode(payload:)`` as trailing bytes.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {}
}

/// One collection's parameters and size, as listed by `LIST_COLLECTIONS`.
public struct CollectionInfo: Sendable, Equatable {
    /// Collection name, as created (the list is sorted by it).
    public var name: String
    /// Components per vector, 1–16384.
    public var dimension: Int
    /// The distance metric the collection was created with.
    public var metric: WireMetric
    /// How the server stores the vectors; `GET` returns them as f32 whatever it is.
    public var storage: WireStorage
    /// HNSW `M` as the server resolved it: never 0 (the default is 16).
    public var m: Int
    /// HNSW `efConstruction` as the server resolved it: never 0 (the default is 200).
    public var efConstruction: Int
    /// Live (not deleted) vectors.
    public var count: UInt64

    /// Creates an entry from a collection's parameters and live count.
    public init(name: String, dimension: Int, metric: WireMetric, storage: WireStorage,
                m: Int, efConstruction: Int, count: UInt64) {
        self.name = name
        self.dimension = dimension
        self.metric = metric
        self.storage = storage
        self.m = m
        self.efConstruction = efConstruction
        self.count = count
    }
}

/// `LIST_COLLECTIONS` reply, sorted by name.
public struct ListCollectionsResponse: WireMessage {
    /// The `LIST_COLLECTIONS` reply travels as kind `0x12`, like the request.
    public static let kind = MessageKind.listCollections

    /// Every collection on the server, sorted by name (empty when there is none).
    public var collections: [CollectionInfo]
    /// Creates the reply; the caller sorts `collections` by name.
    public init(collections: [CollectionInfo]) { self.collections = collections }

    /// Room for the count and about 96 bytes per entry.
    public var encodedSizeHint: Int { 4 + collections.count * 96 }

    /// Writes `u32 count`, then per collection `str name, u32 dim, u8 metric,
    /// u8 storage, u16 M, u32 efConstruction, u64 count`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: collections.count))
        for info in collections {
            writer.write(string: info.name)
            writer.write(UInt32(truncatingIfNeeded: info.dimension))
            writer.write(info.metric.rawValue)
            writer.write(info.storage.rawValue)
            writer.write(UInt16(truncatingIfNeeded: info.m))
            writer.write(UInt32(truncatingIfNeeded: info.efConstruction))
            writer.write(info.count)
        }
    }

    /// Reads the list.
    /// - Throws: ``ErrorCode/malformedPayload`` when it is truncated, a name is not
    ///   UTF-8, or a metric or storage value is outside its table.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "count"))
        // Each entry takes at least 22 bytes: never reserve more than the payload can hold.
        var list: [CollectionInfo] = []
        list.reserveCapacity(min(count, reader.remaining / 22))
        for _ in 0..<count {
            let name = try reader.readString("name")
            let dim = Int(try reader.read(UInt32.self, "dim"))
            let metric = try reader.readEnum(WireMetric.self, "metric", choices: "0 cosine, 1 ip, 2 l2")
            let storage = try reader.readEnum(WireStorage.self, "storage", choices: "0 f32, 1 f16, 2 int8")
            let m = Int(try reader.read(UInt16.self, "M"))
            let efC = Int(try reader.read(UInt32.self, "efConstruction"))
            let n = try reader.read(UInt64.self, "count")
            list.append(CollectionInfo(name: name, dimension: dim, metric: metric, storage: storage,
                                       m: m, efConstruction: efC, count: n))
        }
        collections = list
    }
}

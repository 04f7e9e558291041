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
    case f32 = 0
    case f16 = 1
    /// Scalar-quantised to 8 bits per component.
    case int8 = 2

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
    public typealias Response = CreateCollectionResponse
    public static let kind = MessageKind.createCollection

    public var name: String
    public var dimension: Int
    public var metric: WireMetric
    public var storage: WireStorage
    /// HNSW `M`; 0 for the server's default.
    public var m: Int
    /// HNSW `efConstruction`; 0 for the server's default.
    public var efConstruction: Int
    /// Succeed (with `created == false`) when an identical collection exists.
    public var existOK: Bool

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

    public func encode(into writer: inout ByteWriter) {
        writer.write(string: name)
        writer.write(UInt32(truncatingIfNeeded: dimension))
        writer.write(metric.rawValue)
        writer.write(storage.rawValue)
        writer.write(UInt16(truncatingIfNeeded: m))
        writer.write(UInt32(truncatingIfNeeded: efConstruction))
        writer.write(UInt8(existOK ? 1 : 0))
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        name = try reader.readString("name")
        dimension = Int(try reader.read(UInt32.self, "dim"))
        metric = try reader.readEnum(WireMetric.self, "metric", choices: "0 cosine, 1 ip, 2 l2")
        storage = try reader.readEnum(WireStorage.self, "storage", choices: "0 f32, 1 f16, 2 int8")
        m = Int(try reader.read(UInt16.self, "M"))
        efConstruction = Int(try reader.read(UInt32.self, "efConstruction"))
        existOK = try reader.readOptions(known: 0x01, "options") & 0x01 != 0
    }

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
    public static let kind = MessageKind.createCollection

    /// `false` when an identical collection already existed and `existOK` was set.
    public var created: Bool
    public init(created: Bool) { self.created = created }

    public func encode(into writer: inout ByteWriter) { writer.write(UInt8(created ? 1 : 0)) }
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let raw = try reader.read(UInt8.self, "created")
        guard raw <= 1 else { throw WireError(.malformedPayload, "CREATE_COLLECTION reply created is \(raw), expected 0 or 1") }
        created = raw == 1
    }
}

/// `DROP_COLLECTION` request (§7.3).
public struct DropCollectionRequest: WireRequest {
    public typealias Response = DropCollectionResponse
    public static let kind = MessageKind.dropCollection

    public var name: String
    public init(name: String) { self.name = name }

    public func encode(into writer: inout ByteWriter) { writer.write(string: name) }
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { name = try reader.readString("name") }
    public func validate() throws(WireError) { try Validate.collectionName(name, in: "DROP_COLLECTION") }
}

/// `DROP_COLLECTION` reply (empty).
public struct DropCollectionResponse: WireMessage {
    public static let kind = MessageKind.dropCollection
    public init() {}
    public func encode(into writer: inout ByteWriter) {}
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {}
}

/// `LIST_COLLECTIONS` request (§7.4, empty).
public struct ListCollectionsRequest: WireRequest {
    public typealias Response = ListCollectionsResponse
    public static let kind = MessageKind.listCollections
    public init() {}
    public func encode(into writer: inout ByteWriter) {}
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {}
}

/// One collection's parameters and size, as listed by `LIST_COLLECTIONS`.
public struct CollectionInfo: Sendable, Equatable {
    public var name: String
    public var dimension: Int
    public var metric: WireMetric
    public var storage: WireStorage
    public var m: Int
    public var efConstruction: Int
    /// Live (not deleted) vectors.
    public var count: UInt64

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
    public static let kind = MessageKind.listCollections

    public var collections: [CollectionInfo]
    public init(collections: [CollectionInfo]) { self.collections = collections }

    public var encodedSizeHint: Int { 4 + collections.count * 96 }

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

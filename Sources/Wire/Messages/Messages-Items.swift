import Primitives

/// A columnar batch of items (`docs/PROTOCOL.md` §7.5): ids, one row-major
/// block of vectors, and optionally group ids and tags.
///
/// Columnar so that decoding takes all vectors with a single copy and the
/// index can insert straight from ``vectors``.
public struct ItemBatch: Sendable, Equatable {
    /// Components per vector.
    public var dimension: Int
    public var ids: [UInt64]
    /// `ids.count × dimension` floats; item `i`'s vector starts at `i × dimension`.
    public var vectors: [Float]
    /// One group id per item (0: no group), or `nil` when the batch carries none.
    public var groups: [UInt64]?
    /// One tag list per item, or `nil` when the batch carries none.
    public var tags: [[String]]?

    public init(dimension: Int, ids: [UInt64], vectors: [Float], groups: [UInt64]? = nil, tags: [[String]]? = nil) {
        self.dimension = dimension
        self.ids = ids
        self.vectors = vectors
        self.groups = groups
        self.tags = tags
    }

    /// Number of items.
    @inlinable public var count: Int { ids.count }

    /// Item `index`'s vector, without copying.
    public func vector(at index: Int) -> ArraySlice<Float> {
        vectors[(index * dimension)..<((index + 1) * dimension)]
    }

    static let groupsBit: UInt8 = 0x01
    static let tagsBit: UInt8 = 0x02

    var encodedSize: Int {
        12 + count * (8 + dimension * 4) + (groups == nil ? 0 : count * 8)
            + (tags.map { $0.reduce(0) { $0 + 1 + $1.reduce(0) { $0 + 2 + $1.utf8.count } } } ?? 0)
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: dimension))
        writer.write(UInt32(truncatingIfNeeded: count))
        writer.write((groups == nil ? 0 : Self.groupsBit) | (tags == nil ? 0 : Self.tagsBit))
        writer.write(uint64s: ids)
        writer.write(floats: vectors)
        if let groups { writer.write(uint64s: groups) }
        if let tags { for list in tags { writer.writeTagList(list) } }
    }

    init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        dimension = Int(try reader.read(UInt32.self, "dim"))
        let count = Int(try reader.read(UInt32.self, "count"))
        let fields = try reader.readOptions(known: Self.groupsBit | Self.tagsBit, "fields")
        ids = try reader.readUInt64s(count: count, "ids")
        vectors = try reader.readFloats(count: reader.readElementCount(count, times: dimension, "vectors"), "vectors")
        groups = fields & Self.groupsBit != 0 ? try reader.readUInt64s(count: count, "groups") : nil
        if fields & Self.tagsBit != 0 {
            var all: [[String]] = []
            all.reserveCapacity(count)
            for _ in 0..<count { all.append(try reader.readTagList("tags")) }
            tags = all
        } else {
            tags = nil
        }
    }

    func validate(in context: String) throws(WireError) {
        try Validate.dimension(dimension, in: context)
        try Validate.nonEmptyDistinct(ids, in: context)
        try Validate.vectorCount(vectors.count, count: count, dim: dimension, field: "vectors", in: context)
        if let groups, groups.count != count {
            throw WireError(.invalidArgument, "\(context): \(groups.count) group ids for \(count) items")
        }
        if let tags {
            guard tags.count == count else {
                throw WireError(.invalidArgument, "\(context): \(tags.count) tag lists for \(count) items")
            }
            for (i, list) in tags.enumerated() {
                try Validate.tags(list, field: "item \(ids[i])", in: context)
            }
        }
    }
}

/// `UPSERT` request (§7.6): insert or wholly replace a batch of items.
public struct UpsertRequest: WireRequest {
    public typealias Response = UpsertResponse
    public static let kind = MessageKind.upsert

    public var collection: String
    public var items: ItemBatch

    public init(collection: String, items: ItemBatch) {
        self.collection = collection
        self.items = items
    }

    public var encodedSizeHint: Int { 2 + collection.utf8.count + items.encodedSize }

    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        items.encode(into: &writer)
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        items = try ItemBatch(reading: &reader)
    }

    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "UPSERT")
        try items.validate(in: "UPSERT")
    }
}

/// `UPSERT` reply.
public struct UpsertResponse: WireMessage {
    public static let kind = MessageKind.upsert

    /// Items that did not exist before.
    public var inserted: Int
    /// Items that replaced an existing id.
    public var replaced: Int

    public init(inserted: Int, replaced: Int) {
        self.inserted = inserted
        self.replaced = replaced
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: inserted))
        writer.write(UInt32(truncatingIfNeeded: replaced))
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        inserted = Int(try reader.read(UInt32.self, "inserted"))
        replaced = Int(try reader.read(UInt32.self, "replaced"))
    }
}

/// `DELETE` request (§7.7). Unknown ids are not an error.
public struct DeleteRequest: WireRequest {
    public typealias Response = DeleteResponse
    public static let kind = MessageKind.delete

    public var collection: String
    public var ids: [UInt64]

    public init(collection: String, ids: [UInt64]) {
        self.collection = collection
        self.ids = ids
    }

    public var encodedSizeHint: Int { 6 + collection.utf8.count + ids.count * 8 }

    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt32(truncatingIfNeeded: ids.count))
        writer.write(uint64s: ids)
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        let count = Int(try reader.read(UInt32.self, "count"))
        ids = try reader.readUInt64s(count: count, "ids")
    }

    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "DELETE")
        try Validate.nonEmptyDistinct(ids, in: "DELETE")
    }
}

/// `DELETE` reply.
public struct DeleteResponse: WireMessage {
    public static let kind = MessageKind.delete

    /// How many of the ids existed.
    public var deleted: Int
    public init(deleted: Int) { self.deleted = deleted }

    public func encode(into writer: inout ByteWriter) { writer.write(UInt32(truncatingIfNeeded: deleted)) }
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        deleted = Int(try reader.read(UInt32.self, "deleted"))
    }
}

/// `GET` request (§7.8): vectors, groups and tags by id.
public struct GetRequest: WireRequest {
    public typealias Response = GetResponse
    public static let kind = MessageKind.get

    public var collection: String
    public var ids: [UInt64]
    /// Leave unknown ids out of the reply instead of failing with ``ErrorCode/unknownID``.
    public var missingOK: Bool

    public init(collection: String, ids: [UInt64], missingOK: Bool = false) {
        self.collection = collection
        self.ids = ids
        self.missingOK = missingOK
    }

    public var encodedSizeHint: Int { 7 + collection.utf8.count + ids.count * 8 }

    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt8(missingOK ? 1 : 0))
        writer.write(UInt32(truncatingIfNeeded: ids.count))
        writer.write(uint64s: ids)
    }

    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        missingOK = try reader.readOptions(known: 0x01, "options") & 0x01 != 0
        let count = Int(try reader.read(UInt32.self, "count"))
        ids = try reader.readUInt64s(count: count, "ids")
    }

    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "GET")
        try Validate.nonEmptyDistinct(ids, in: "GET")
    }
}

/// `GET` reply: the items found, in request order, with groups and tags.
public struct GetResponse: WireMessage {
    public static let kind = MessageKind.get

    public var items: ItemBatch
    public init(items: ItemBatch) { self.items = items }

    public var encodedSizeHint: Int { items.encodedSize }
    public func encode(into writer: inout ByteWriter) { items.encode(into: &writer) }
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { items = try ItemBatch(reading: &reader) }
}

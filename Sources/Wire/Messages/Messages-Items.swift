import Primitives

/// A columnar batch of items (`docs/PROTOCOL.md` §7.5): ids, one row-major
/// block of vectors, and optionally group ids and tags.
///
/// Columnar so that decoding takes all vectors with a single copy and the
/// index can insert straight from ``vectors``.
public struct ItemBatch: Sendable, Equatable {
    /// Components per vector.
    public var dimension: Int
    /// Caller-chosen item ids (`u64[count]`), any of the 2^64 values; in a request
    /// at least one, and distinct.
    public var ids: [UInt64]
    /// `ids.count × dimension` floats; item `i`'s vector starts at `i × dimension`.
    public var vectors: [Float]
    /// One group id per item (0: no group), or `nil` when the batch carries none.
    public var groups: [UInt64]?
    /// One tag list per item, or `nil` when the batch carries none.
    public var tags: [[String]]?

    /// Creates a batch. `vectors` must hold `ids.count × dimension` floats, and
    /// `groups` and `tags`, when given, one entry per id: the requests' `validate()`
    /// checks it before anything is sent.
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
    /// An `UPSERT` is answered by an ``UpsertResponse`` with the inserted and replaced counts.
    public typealias Response = UpsertResponse
    /// `UPSERT` travels as kind `0x20`.
    public static let kind = MessageKind.upsert

    /// Name of the collection to write to (1–64 bytes of `[A-Za-z0-9_.-]`, not starting with `.`).
    public var collection: String
    /// The items to insert or replace: each replaces the item with the same id
    /// wholly (vector, group and tags). The batch is applied as a whole or not at all.
    public var items: ItemBatch

    /// Creates the request to write `items` into `collection`.
    public init(collection: String, items: ItemBatch) {
        self.collection = collection
        self.items = items
    }

    /// The payload size, a few bytes over: the name, then the batch with its vectors, groups and tags.
    public var encodedSizeHint: Int { 2 + collection.utf8.count + items.encodedSize }

    /// Writes `str collection`, then the item batch (§7.5).
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        items.encode(into: &writer)
    }

    /// Reads `str collection` and an item batch.
    /// - Throws: ``ErrorCode/malformedPayload`` when a field is truncated, a string
    ///   is not UTF-8, `fields` has a bit other than `GROUPS` and `TAGS`, or the
    ///   vector block is shorter than `count × dim` floats.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        items = try ItemBatch(reading: &reader)
    }

    /// Checks the collection name, the dimension (1–16384), that the batch has at
    /// least one id and no id twice, that there are `count × dim` floats and one
    /// group and one tag list per item, and the tag rules (≤ 64 tags of 1–255 bytes).
    /// - Throws: ``ErrorCode/invalidArgument`` naming the first rule broken.
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "UPSERT")
        try items.validate(in: "UPSERT")
    }
}

/// `UPSERT` reply.
public struct UpsertResponse: WireMessage {
    /// The `UPSERT` reply travels as kind `0x20`, like the request.
    public static let kind = MessageKind.upsert

    /// Items that did not exist before.
    public var inserted: Int
    /// Items that replaced an existing id.
    public var replaced: Int

    /// Creates the reply; `inserted + replaced` is the batch's item count.
    public init(inserted: Int, replaced: Int) {
        self.inserted = inserted
        self.replaced = replaced
    }

    /// Writes `u32 inserted, u32 replaced`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: inserted))
        writer.write(UInt32(truncatingIfNeeded: replaced))
    }

    /// Reads `u32 inserted, u32 replaced`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        inserted = Int(try reader.read(UInt32.self, "inserted"))
        replaced = Int(try reader.read(UInt32.self, "replaced"))
    }
}

/// `DELETE` request (§7.7). Unknown ids are not an error.
public struct DeleteRequest: WireRequest {
    /// A `DELETE` is answered by a ``DeleteResponse`` with the number of ids that existed.
    public typealias Response = DeleteResponse
    /// `DELETE` travels as kind `0x21`.
    public static let kind = MessageKind.delete

    /// Name of the collection to delete from (1–64 bytes of `[A-Za-z0-9_.-]`, not starting with `.`).
    public var collection: String
    /// Ids of the items to remove: at least one, distinct. Ids that do not
    /// exist are skipped, so a `DELETE` can be retried safely.
    public var ids: [UInt64]

    /// Creates the request to delete `ids` from `collection`.
    public init(collection: String, ids: [UInt64]) {
        self.collection = collection
        self.ids = ids
    }

    /// The exact payload size: the name, the count and 8 bytes per id.
    public var encodedSizeHint: Int { 6 + collection.utf8.count + ids.count * 8 }

    /// Writes `str collection, u32 count, u64[count] ids`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt32(truncatingIfNeeded: ids.count))
        writer.write(uint64s: ids)
    }

    /// Reads `str collection, u32 count, u64[count] ids`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated or the name is not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        let count = Int(try reader.read(UInt32.self, "count"))
        ids = try reader.readUInt64s(count: count, "ids")
    }

    /// Checks the collection name and that `ids` is non-empty and distinct.
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name, an empty batch or a repeated id (named).
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "DELETE")
        try Validate.nonEmptyDistinct(ids, in: "DELETE")
    }
}

/// `DELETE` reply.
public struct DeleteResponse: WireMessage {
    /// The `DELETE` reply travels as kind `0x21`, like the request.
    public static let kind = MessageKind.delete

    /// How many of the ids existed.
    public var deleted: Int
    /// Creates the reply with the number of ids that existed.
    public init(deleted: Int) { self.deleted = deleted }

    /// Writes `u32 deleted`.
    public func encode(into writer: inout ByteWriter) { writer.write(UInt32(truncatingIfNeeded: deleted)) }
    /// Reads `u32 deleted`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        deleted = Int(try reader.read(UInt32.self, "deleted"))
    }
}

/// `GET` request (§7.8): vectors, groups and tags by id.
public struct GetRequest: WireRequest {
    /// A `GET` is answered by a ``GetResponse`` holding the items found.
    public typealias Response = GetResponse
    /// `GET` travels as kind `0x22`.
    public static let kind = MessageKind.get

    /// Name of the collection to read from (1–64 bytes of `[A-Za-z0-9_.-]`, not starting with `.`).
    public var collection: String
    /// Ids of the items to read: at least one, distinct; the reply keeps their order.
    public var ids: [UInt64]
    /// Leave unknown ids out of the reply instead of failing with ``ErrorCode/unknownID``.
    public var missingOK: Bool

    /// Creates the request to read `ids` from `collection`; unknown ids fail it
    /// unless `missingOK` is set.
    public init(collection: String, ids: [UInt64], missingOK: Bool = false) {
        self.collection = collection
        self.ids = ids
        self.missingOK = missingOK
    }

    /// The exact payload size: the name, the options byte, the count and 8 bytes per id.
    public var encodedSizeHint: Int { 7 + collection.utf8.count + ids.count * 8 }

    /// Writes `str collection, u8 options (bit 0 MISSING_OK), u32 count, u64[count] ids`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(string: collection)
        writer.write(UInt8(missingOK ? 1 : 0))
        writer.write(UInt32(truncatingIfNeeded: ids.count))
        writer.write(uint64s: ids)
    }

    /// Reads `str collection, u8 options, u32 count, u64[count] ids`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated, the
    ///   name is not UTF-8, or `options` has a bit other than `MISSING_OK` set.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        collection = try reader.readString("collection")
        missingOK = try reader.readOptions(known: 0x01, "options") & 0x01 != 0
        let count = Int(try reader.read(UInt32.self, "count"))
        ids = try reader.readUInt64s(count: count, "ids")
    }

    /// Checks the collection name and that `ids` is non-empty and distinct.
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name, an empty batch or a repeated id (named).
    public func validate() throws(WireError) {
        try Validate.collectionName(collection, in: "GET")
        try Validate.nonEmptyDistinct(ids, in: "GET")
    }
}

/// `GET` reply: the items found, in request order, with groups and tags.
public struct GetResponse: WireMessage {
    /// The `GET` reply travels as kind `0x22`, like the request.
    public static let kind = MessageKind.get

    /// The items found, in request order, with ``ItemBatch/groups`` and
    /// ``ItemBatch/tags`` always present (`fields = 0x03`). Vectors stored as f16
    /// or int8 come back decoded to f32; cosine collections return unit-length vectors.
    public var items: ItemBatch
    /// Creates the reply from the items found.
    public init(items: ItemBatch) { self.items = items }

    /// The item batch's size, a few bytes over.
    public var encodedSizeHint: Int { items.encodedSize }
    /// Writes the item batch (§7.5).
    public func encode(into writer: inout ByteWriter) { items.encode(into: &writer) }
    /// Reads an item batch.
    /// - Throws: ``ErrorCode/malformedPayload`` when the batch breaks its layout (see ``UpsertRequest/init(reading:)``).
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { items = try ItemBatch(reading: &reader) }
}

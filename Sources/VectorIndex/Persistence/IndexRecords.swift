import Primitives

/// The payloads of the write-ahead-log records that change an index.
///
/// Kinds 1–15 belong to the index; 16 and above are carried for other
/// modules (the ranker's feedback) and handed back to them on replay.
public enum IndexRecordKind: UInt8, Sendable {
    /// `u32 count | u32 dimension | count × (u64 id | u64 group | u16 tag count | tags (u16 length, UTF-8) | f32 × dimension)`
    case upsert = 1
    /// `u32 count | count × u64 id`
    case delete = 2

    /// The first kind free for other modules' records.
    public static let firstExtensionKind: UInt8 = 16
}

/// One vector of an upsert, as logged.
public struct UpsertItem: Sendable, Equatable {
    /// The caller's id for the vector.
    public var id: UInt64
    /// The group (article) the vector stands for, or 0; used by ranking.
    public var group: UInt64
    /// Tags for filtered search.
    public var tags: [String]
    /// The components, as given (the index normalises them for cosine).
    public var vector: [Float]

    /// An item with no group and no tags unless given.
    public init(id: UInt64, group: UInt64 = 0, tags: [String] = [], vector: [Float]) {
        self.id = id
        self.group = group
        self.tags = tags
        self.vector = vector
    }
}

/// Encoders of the logged records (public for benchmarks and tools that write logs).
public enum IndexRecordCodec {
    /// The payload of an upsert record, as `DurableCollection` logs it.
    public static func encodeUpsertForBench(_ items: [UpsertItem], dimension: Int) -> [UInt8] {
        encodeUpsert(items, dimension: dimension)
    }

    static func encodeUpsert(_ items: [UpsertItem], dimension: Int) -> [UInt8] {
        var w = ByteWriter(capacity: 8 + items.count * (dimension * 4 + 24))
        w.write(UInt32(items.count))
        w.write(UInt32(dimension))
        for item in items {
            w.write(item.id)
            w.write(item.group)
            w.write(UInt16(min(item.tags.count, Int(UInt16.max))))
            for tag in item.tags.prefix(Int(UInt16.max)) {
                let utf8 = Array(tag.utf8.prefix(Int(UInt16.max)))
                w.write(UInt16(utf8.count))
                w.write(raw: utf8)
            }
            w.write(floats: item.vector)
        }
        return w.bytes
    }

    static func decodeUpsert(_ bytes: [UInt8], path: String, offset: Int) throws -> [UpsertItem] {
        try withRecordReader(bytes, path: path, origin: offset) { r in
            let count = Int(try r.read(UInt32.self, "upsert count"))
            let dim = Int(try r.read(UInt32.self, "upsert dimension"))
            // Checked before reserving: each item holds at least its id, group, tag count and vector.
            guard count.multipliedReportingOverflow(by: 18 + dim * 4).partialValue <= r.remaining else {
                throw PersistenceError.corrupt(path: path, offset: offset,
                                               reason: "upsert count \(count) of \(dim)-d vectors cannot fit the record's \(r.remaining) bytes")
            }
            var items: [UpsertItem] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                let id = try r.read(UInt64.self, "upsert id")
                let group = try r.read(UInt64.self, "upsert group")
                let tagCount = Int(try r.read(UInt16.self, "upsert tag count"))
                var tags: [String] = []
                for _ in 0..<tagCount {
                    let length = Int(try r.read(UInt16.self, "upsert tag length"))
                    tags.append(String(decoding: try r.readRaw(count: length, "upsert tag"), as: UTF8.self))
                }
                let vector = try r.readFloats(count: dim, "upsert vector")
                items.append(UpsertItem(id: id, group: group, tags: tags, vector: vector))
            }
            return items
        }
    }

    static func encodeDelete(_ ids: [UInt64]) -> [UInt8] {
        var w = ByteWriter(capacity: 4 + ids.count * 8)
        w.write(UInt32(ids.count))
        w.write(uint64s: ids)
        return w.bytes
    }

    static func decodeDelete(_ bytes: [UInt8], path: String, offset: Int) throws -> [UInt64] {
        try withRecordReader(bytes, path: path, origin: offset) { r in
            let count = Int(try r.read(UInt32.self, "delete count"))
            return try r.readUInt64s(count: count, "delete ids")
        }
    }
}

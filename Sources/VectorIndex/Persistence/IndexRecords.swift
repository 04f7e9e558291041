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
        var out: [UInt8] = []
        out.reserveCapacity(8 + items.count * (dimension * 4 + 24))
        appendU32(&out, UInt32(items.count))
        appendU32(&out, UInt32(dimension))
        for item in items {
            appendU64(&out, item.id)
            appendU64(&out, item.group)
            appendU16(&out, UInt16(min(item.tags.count, Int(UInt16.max))))
            for tag in item.tags.prefix(Int(UInt16.max)) {
                let utf8 = Array(tag.utf8.prefix(Int(UInt16.max)))
                appendU16(&out, UInt16(utf8.count))
                out += utf8
            }
            item.vector.withUnsafeBytes { out += $0 }
        }
        return out
    }

    static func decodeUpsert(_ bytes: [UInt8], path: String, offset: Int) throws -> [UpsertItem] {
        var r = ByteCursor(bytes: bytes, path: path, base: offset)
        let count = Int(try r.u32())
        let dim = Int(try r.u32())
        var items: [UpsertItem] = []
        items.reserveCapacity(count)
        for _ in 0..<count {
            let id = try r.u64()
            let group = try r.u64()
            let tagCount = Int(try r.u16())
            var tags: [String] = []
            for _ in 0..<tagCount {
                let len = Int(try r.u16())
                tags.append(String(decoding: try r.bytes(len), as: UTF8.self))
            }
            let raw = try r.bytes(dim * 4)
            let vector = [Float](unsafeUninitializedCapacity: dim) { buf, n in
                raw.withUnsafeBytes { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: $0.baseAddress!, byteCount: dim * 4) }
                n = dim
            }
            items.append(UpsertItem(id: id, group: group, tags: tags, vector: vector))
        }
        return items
    }

    static func encodeDelete(_ ids: [UInt64]) -> [UInt8] {
        var out: [UInt8] = []
        appendU32(&out, UInt32(ids.count))
        for id in ids { appendU64(&out, id) }
        return out
    }

    static func decodeDelete(_ bytes: [UInt8], path: String, offset: Int) throws -> [UInt64] {
        var r = ByteCursor(bytes: bytes, path: path, base: offset)
        let count = Int(try r.u32())
        return try (0..<count).map { _ in try r.u64() }
    }
}

@inline(__always)
func appendU16(_ bytes: inout [UInt8], _ v: UInt16) {
    withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
}

@inline(__always)
func appendU64(_ bytes: inout [UInt8], _ v: UInt64) {
    withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
}

extension ByteCursor {
    mutating func u16() throws -> UInt16 {
        let b = try bytes(2)
        let i = b.startIndex
        return UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    mutating func u64() throws -> UInt64 {
        UInt64(try u32()) | UInt64(try u32()) << 32
    }
}

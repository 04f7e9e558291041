import Primitives

/// `SNAPSHOT` request (§7.11): write a snapshot of one collection, or of all.
public struct SnapshotRequest: WireRequest {
    /// A `SNAPSHOT` is answered by a ``SnapshotResponse`` listing the files written.
    public typealias Response = SnapshotResponse
    /// `SNAPSHOT` travels as kind `0x40`.
    public static let kind = MessageKind.snapshot

    /// The collection, or `""` for every collection.
    public var collection: String
    /// Creates the request; the default, `""`, snapshots every collection.
    public init(collection: String = "") { self.collection = collection }

    /// Writes `str collection` (`n = 0` for every collection).
    public func encode(into writer: inout ByteWriter) { writer.write(string: collection) }
    /// Reads `str collection`.
    /// - Throws: ``ErrorCode/malformedPayload`` when it is truncated or not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { collection = try reader.readString("collection") }
    /// Checks the collection name's rules unless it is empty (every collection).
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name.
    public func validate() throws(WireError) {
        if !collection.isEmpty { try Validate.collectionName(collection, in: "SNAPSHOT") }
    }
}

/// One snapshot file written by `SNAPSHOT`.
public struct SnapshotInfo: Sendable, Equatable {
    /// Name of the collection the snapshot holds.
    public var collection: String
    /// The `SEQ` of `snapshot-SEQ.ldx`.
    public var sequence: UInt64
    /// The snapshot file's size in bytes.
    public var bytes: UInt64
    /// The snapshot file's path on the server's file system (protocol 1.1);
    /// empty when the reply was encoded for protocol 1.0.
    public var path: String

    /// Creates an entry; `path` is left empty for a 1.0 peer, which does not receive it.
    public init(collection: String, sequence: UInt64, bytes: UInt64, path: String = "") {
        self.collection = collection
        self.sequence = sequence
        self.bytes = bytes
        self.path = path
    }
}

/// `SNAPSHOT` reply, sent once every file is durable.
///
/// Protocol 1.1 appends the files' paths after the 1.0 list (`count × str
/// path`, in list order), so a 1.0 reader's layout is a prefix of it.
public struct SnapshotResponse: WireMessage {
    /// The `SNAPSHOT` reply travels as kind `0x40`, like the request.
    public static let kind = MessageKind.snapshot

    /// One entry per snapshot file written, each written, fsynced and renamed before the reply.
    public var snapshots: [SnapshotInfo]
    /// The minor version whose layout ``encode(into:)`` writes: 0 leaves the
    /// paths out (a peer that negotiated 1.0), 1 or more appends them.
    /// Decoding sets it to the layout it found.
    public var layoutMinor: UInt16

    /// Creates the reply; `layoutMinor` should be the minor negotiated with the
    /// peer, so that a 1.0 client is not sent the paths.
    public init(snapshots: [SnapshotInfo], layoutMinor: UInt16 = WireProtocol.minorVersion) {
        self.snapshots = snapshots
        self.layoutMinor = layoutMinor
    }

    /// Writes `u32 count, count × (str collection, u64 sequence, u64 bytes)`,
    /// then, when ``layoutMinor`` ≥ 1, `count × str path`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: snapshots.count))
        for info in snapshots {
            writer.write(string: info.collection)
            writer.write(info.sequence)
            writer.write(info.bytes)
        }
        if layoutMinor >= 1 {
            for info in snapshots { writer.write(string: info.path) }
        }
    }

    /// Reads the 1.0 list and, when bytes remain, the 1.1 paths, setting ``layoutMinor`` to match.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated, a
    ///   string is not UTF-8, or bytes remain after the paths.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "count"))
        var list: [SnapshotInfo] = []
        list.reserveCapacity(min(count, reader.remaining / 18))
        for _ in 0..<count {
            let name = try reader.readString("collection")
            let sequence = try reader.read(UInt64.self, "sequence")
            let bytes = try reader.read(UInt64.self, "bytes")
            list.append(SnapshotInfo(collection: name, sequence: sequence, bytes: bytes))
        }
        // A 1.0 payload ends here; a 1.1 payload goes on with one path per snapshot.
        layoutMinor = 0
        if reader.remaining > 0 {
            for i in 0..<count { list[i].path = try reader.readString("path") }
            layoutMinor = 1
        }
        snapshots = list
    }

    /// Equal when the snapshots are; the layout version is how they travel, not what they are.
    public static func == (a: SnapshotResponse, b: SnapshotResponse) -> Bool { a.snapshots == b.snapshots }
}

/// `STATS` request (§7.12).
public struct StatsRequest: WireRequest {
    /// A `STATS` is answered by a ``StatsResponse`` holding one JSON object.
    public typealias Response = StatsResponse
    /// `STATS` travels as kind `0x41`.
    public static let kind = MessageKind.stats

    /// The collection, or `""` for the server and every collection.
    public var collection: String
    /// Creates the request; the default, `""`, reports the server and every collection.
    public init(collection: String = "") { self.collection = collection }

    /// Writes `str collection` (`n = 0` for every collection).
    public func encode(into writer: inout ByteWriter) { writer.write(string: collection) }
    /// Reads `str collection`.
    /// - Throws: ``ErrorCode/malformedPayload`` when it is truncated or not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) { collection = try reader.readString("collection") }
    /// Checks the collection name's rules unless it is empty (every collection).
    /// - Throws: ``ErrorCode/invalidArgument`` for a bad name.
    public func validate() throws(WireError) {
        if !collection.isEmpty { try Validate.collectionName(collection, in: "STATS") }
    }
}

/// `STATS` reply: one UTF-8 JSON object whose keys are listed in `docs/PROTOCOL.md` §7.12.
///
/// JSON rather than fixed fields because statistics grow with every feature;
/// readers ignore keys they do not know.
public struct StatsResponse: WireMessage {
    /// The `STATS` reply travels as kind `0x41`, like the request.
    public static let kind = MessageKind.stats

    /// One JSON object with a `server` key and a `collections` key (only the named
    /// collection when one was asked for); parse it and ignore unknown keys.
    public var json: String
    /// Creates the reply from an encoded JSON object.
    public init(json: String) { self.json = json }

    /// The exact payload size: a `u32` length and the UTF-8 bytes.
    public var encodedSizeHint: Int { 4 + json.utf8.count }

    /// Writes `blob32 json`: a `u32` byte count, then the UTF-8 bytes.
    public func encode(into writer: inout ByteWriter) {
        writer.write(blob: Array(json.utf8))
    }

    /// Reads `blob32 json`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the payload is truncated or the JSON is not valid UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        let length = Int(try reader.read(UInt32.self, "json"))
        let raw = try reader.readRaw(count: length, "json")
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WireError(.malformedPayload, "STATS reply json is not valid UTF-8")
        }
        json = text
    }
}

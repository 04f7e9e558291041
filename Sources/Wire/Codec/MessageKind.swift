/// The `kind` byte of a frame header (`docs/PROTOCOL.md` §6).
///
/// A struct so that any byte can be represented: a decoder reports an
/// unassigned kind as ``ErrorCode/unknownKind`` instead of failing to parse
/// the header, which keeps the stream in step.
public struct MessageKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The header's `u8 kind`. `0x0_` connection, `0x1_` collections, `0x2_`
    /// items, `0x3_` queries, `0x4_` operations; unassigned values are ``ErrorCode/unknownKind``.
    public var rawValue: UInt8
    /// Wraps any byte, assigned or not, so that a header with an unknown kind
    /// still decodes and the request can be answered ``ErrorCode/unknownKind``.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Never a request; the kind of a connection notice (request id 0).
    public static let notice = MessageKind(rawValue: 0x00)
    /// `HELLO` (`0x01`, §5): the handshake that must open every connection. See ``HelloRequest``.
    public static let hello = MessageKind(rawValue: 0x01)
    /// `PING` (`0x02`, §7.1): opaque bytes echoed back, for liveness and round-trip timing. See ``PingRequest``.
    public static let ping = MessageKind(rawValue: 0x02)
    /// `CREATE_COLLECTION` (`0x10`, §7.2): creates a vector collection. See ``CreateCollectionRequest``.
    public static let createCollection = MessageKind(rawValue: 0x10)
    /// `DROP_COLLECTION` (`0x11`, §7.3): removes a collection and its files. See ``DropCollectionRequest``.
    public static let dropCollection = MessageKind(rawValue: 0x11)
    /// `LIST_COLLECTIONS` (`0x12`, §7.4): every collection's parameters and size. See ``ListCollectionsRequest``.
    public static let listCollections = MessageKind(rawValue: 0x12)
    /// `UPSERT` (`0x20`, §7.6): inserts or wholly replaces a batch of items. See ``UpsertRequest``.
    public static let upsert = MessageKind(rawValue: 0x20)
    /// `DELETE` (`0x21`, §7.7): removes items by id. See ``DeleteRequest``.
    public static let delete = MessageKind(rawValue: 0x21)
    /// `GET` (`0x22`, §7.8): reads items back by id. See ``GetRequest``.
    public static let get = MessageKind(rawValue: 0x22)
    /// `SEARCH` (`0x30`, §7.9): the k nearest vectors of one or more queries. See ``SearchRequest``.
    public static let search = MessageKind(rawValue: 0x30)
    /// Ranks the groups near a query with the learned P(resolved) (protocol 1.2).
    public static let rank = MessageKind(rawValue: 0x31)
    /// Reports the outcome of a ranked group (protocol 1.2).
    public static let feedback = MessageKind(rawValue: 0x32)
    /// `SNAPSHOT` (`0x40`, §7.11): writes snapshot files and reports them. See ``SnapshotRequest``.
    public static let snapshot = MessageKind(rawValue: 0x40)
    /// `STATS` (`0x41`, §7.12): server and collection statistics as JSON. See ``StatsRequest``.
    public static let stats = MessageKind(rawValue: 0x41)

    /// The kinds whose payloads this version of the protocol defines.
    public static let defined: [MessageKind] = [
        .hello, .ping, .createCollection, .dropCollection, .listCollections,
        .upsert, .delete, .get, .search, .rank, .feedback, .snapshot, .stats,
    ]

    /// The protocol's name for the kind (`SEARCH`), or `kind 0xNN` when unassigned.
    public var name: String {
        switch self {
        case .notice: "NOTICE"
        case .hello: "HELLO"
        case .ping: "PING"
        case .createCollection: "CREATE_COLLECTION"
        case .dropCollection: "DROP_COLLECTION"
        case .listCollections: "LIST_COLLECTIONS"
        case .upsert: "UPSERT"
        case .delete: "DELETE"
        case .get: "GET"
        case .search: "SEARCH"
        case .rank: "RANK"
        case .feedback: "FEEDBACK"
        case .snapshot: "SNAPSHOT"
        case .stats: "STATS"
        default: "kind 0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }

    /// The protocol name (``name``), so that interpolating a kind prints `SEARCH`.
    public var description: String { name }
}

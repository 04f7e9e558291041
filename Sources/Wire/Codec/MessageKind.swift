/// The `kind` byte of a frame header (`docs/PROTOCOL.md` §6).
///
/// A struct so that any byte can be represented: a decoder reports an
/// unassigned kind as ``ErrorCode/unknownKind`` instead of failing to parse
/// the header, which keeps the stream in step.
public struct MessageKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Never a request; the kind of a connection notice (request id 0).
    public static let notice = MessageKind(rawValue: 0x00)
    public static let hello = MessageKind(rawValue: 0x01)
    public static let ping = MessageKind(rawValue: 0x02)
    public static let createCollection = MessageKind(rawValue: 0x10)
    public static let dropCollection = MessageKind(rawValue: 0x11)
    public static let listCollections = MessageKind(rawValue: 0x12)
    public static let upsert = MessageKind(rawValue: 0x20)
    public static let delete = MessageKind(rawValue: 0x21)
    public static let get = MessageKind(rawValue: 0x22)
    public static let search = MessageKind(rawValue: 0x30)
    /// Ranks the groups near a query with the learned P(resolved) (protocol 1.2).
    public static let rank = MessageKind(rawValue: 0x31)
    /// Reports the outcome of a ranked group (protocol 1.2).
    public static let feedback = MessageKind(rawValue: 0x32)
    public static let snapshot = MessageKind(rawValue: 0x40)
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

    public var description: String { name }
}

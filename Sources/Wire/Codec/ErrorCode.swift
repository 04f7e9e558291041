/// The numeric code of a protocol error (`docs/PROTOCOL.md` §8.2).
///
/// A struct rather than an enum so that a code this version does not know
/// (sent by a newer server) is still representable: clients act on the codes
/// they know and treat the others like ``internal``.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `u16 code` of the error payload (§8.1): 1–10 connection and framing,
    /// 20–27 collections and items, 40–47 ranking, 100 internal; other values are unassigned.
    public var rawValue: UInt16
    /// Wraps any `u16`, including a code this version does not name: a newer
    /// server's code is kept as sent and prints as `code N`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Header breaks the framing rules (reserved field, flags, request id 0). Closes the connection.
    public static let malformedFrame = ErrorCode(rawValue: 1)
    /// Header announces a payload above the maximum. Closes the connection.
    public static let frameTooLarge = ErrorCode(rawValue: 2)
    /// Kind unassigned, reserved or not served. The payload is skipped.
    public static let unknownKind = ErrorCode(rawValue: 3)
    /// Payload does not match its kind's layout.
    public static let malformedPayload = ErrorCode(rawValue: 4)
    /// `HELLO` with a major version the server does not speak.
    public static let unsupportedVersion = ErrorCode(rawValue: 5)
    /// A request other than `HELLO` before a successful `HELLO`.
    public static let handshakeRequired = ErrorCode(rawValue: 6)
    /// The request id is already in flight on this connection.
    public static let requestIDInUse = ErrorCode(rawValue: 7)
    /// The server cannot take the request now; retry later.
    public static let busy = ErrorCode(rawValue: 8)
    /// The server is stopping.
    public static let shuttingDown = ErrorCode(rawValue: 9)
    /// The peer is not allowed on this socket.
    public static let permissionDenied = ErrorCode(rawValue: 10)
    /// No collection with that name.
    public static let unknownCollection = ErrorCode(rawValue: 20)
    /// The collection already exists (with other parameters, or without `EXIST_OK`).
    public static let collectionExists = ErrorCode(rawValue: 21)
    /// The vectors' dimension differs from the collection's.
    public static let wrongDimension = ErrorCode(rawValue: 22)
    /// NaN or infinity in a vector, or an all-zero vector under cosine.
    public static let invalidVector = ErrorCode(rawValue: 23)
    /// A field out of its range (k = 0, ef < k, empty batch, duplicate ids, bad name…).
    public static let invalidArgument = ErrorCode(rawValue: 24)
    /// `GET` of an id that does not exist.
    public static let unknownID = ErrorCode(rawValue: 25)
    /// Memory or capacity limit reached; nothing was written.
    public static let resourceExhausted = ErrorCode(rawValue: 26)
    /// Writing the WAL or a snapshot failed; the write was not acknowledged.
    public static let storageFailure = ErrorCode(rawValue: 27)
    /// `FEEDBACK` names an impression id the collection's ranker never issued.
    public static let unknownImpression = ErrorCode(rawValue: 40)
    /// `FEEDBACK` on an impression that was evicted or is older than the feedback window.
    public static let impressionExpired = ErrorCode(rawValue: 41)
    /// `FEEDBACK` on a group that was not shown in the impression.
    public static let groupNotInImpression = ErrorCode(rawValue: 42)
    /// `FEEDBACK` repeats a terminal outcome or a CSAT already recorded for the group.
    public static let outcomeAlreadyRecorded = ErrorCode(rawValue: 43)
    /// `FEEDBACK` with an outcome that cannot apply: CSAT outside 1–5, `reopened` without `resolved`.
    public static let invalidOutcome = ErrorCode(rawValue: 44)
    /// `RANK` names a caller feature outside the ranker's registry.
    public static let unknownCallerFeature = ErrorCode(rawValue: 45)
    /// `RANK` sends a caller feature value outside [-1, 1] or not finite.
    public static let callerFeatureOutOfRange = ErrorCode(rawValue: 46)
    /// `RANK` or `FEEDBACK` on a collection the server keeps no ranker for (`serve --no-ranking`).
    public static let rankingDisabled = ErrorCode(rawValue: 47)
    /// A server bug.
    public static let `internal` = ErrorCode(rawValue: 100)

    // 48–59 stay reserved for ranking errors (docs/PROTOCOL.md, the error code table).

    /// Whether the server closes the connection after sending this code as a
    /// response: only the framing errors after which the stream cannot be resynchronised.
    public var closesConnection: Bool { self == .malformedFrame || self == .frameTooLarge }

    /// The protocol's name for the code (`UNKNOWN_COLLECTION`), or `code N` when unknown.
    public var name: String {
        switch self {
        case .malformedFrame: "MALFORMED_FRAME"
        case .frameTooLarge: "FRAME_TOO_LARGE"
        case .unknownKind: "UNKNOWN_KIND"
        case .malformedPayload: "MALFORMED_PAYLOAD"
        case .unsupportedVersion: "UNSUPPORTED_VERSION"
        case .handshakeRequired: "HANDSHAKE_REQUIRED"
        case .requestIDInUse: "REQUEST_ID_IN_USE"
        case .busy: "BUSY"
        case .shuttingDown: "SHUTTING_DOWN"
        case .permissionDenied: "PERMISSION_DENIED"
        case .unknownCollection: "UNKNOWN_COLLECTION"
        case .collectionExists: "COLLECTION_EXISTS"
        case .wrongDimension: "WRONG_DIMENSION"
        case .invalidVector: "INVALID_VECTOR"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .unknownID: "UNKNOWN_ID"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .storageFailure: "STORAGE_FAILURE"
        case .unknownImpression: "UNKNOWN_IMPRESSION"
        case .impressionExpired: "IMPRESSION_EXPIRED"
        case .groupNotInImpression: "GROUP_NOT_IN_IMPRESSION"
        case .outcomeAlreadyRecorded: "OUTCOME_ALREADY_RECORDED"
        case .invalidOutcome: "INVALID_OUTCOME"
        case .unknownCallerFeature: "UNKNOWN_CALLER_FEATURE"
        case .callerFeatureOutOfRange: "CALLER_FEATURE_OUT_OF_RANGE"
        case .rankingDisabled: "RANKING_DISABLED"
        case .internal: "INTERNAL"
        default: "code \(rawValue)"
        }
    }

    /// The protocol name (``name``), so that interpolating a code prints `UNKNOWN_COLLECTION`.
    public var description: String { name }
}

/// The snapshot file format, version 1. `docs/FORMAT.md` is its specification;
/// this file is its single source of truth in code.
///
///     [header page: 4096 bytes — fixed fields, section table, header CRC32C]
///     [section 1, aligned to 4096] [section 2, aligned] …
///
/// Every integer is little-endian. Each section carries its own CRC32C in the
/// table; the header's CRC32C (the last 4 bytes of the page) covers the rest
/// of the page. Sections are page-aligned so a reader can `mmap` the file and
/// use the node blocks in place.
public enum SnapshotFormat {
    public static let magic: [UInt8] = Array("LDXSNAP\0".utf8)
    /// Readers refuse files with a greater major version.
    public static let majorVersion: UInt16 = 1
    public static let minorVersion: UInt16 = 0
    public static let headerBytes = 4096
    public static let sectionEntryBytes = 32
    public static let sectionTableOffset = 256
    public static let maxSections = (headerBytes - 4 - sectionTableOffset) / sectionEntryBytes
    public static let alignment = 4096
    /// Longest collection name stored in the header (UTF-8 bytes).
    public static let maxNameBytes = 128

    /// Section flag: a reader that does not know this section type may skip it.
    public static let optionalFlag: UInt32 = 1

    /// The typed sections. New types need no format break: unknown optional
    /// sections are skipped, unknown required ones are refused by name.
    public enum Section: UInt32, CaseIterable, Sendable {
        /// Layer-0 node blocks, `stride` bytes a slot: sequence word, link count, links, code, aux.
        case nodes = 1
        /// `NodeMeta` a slot (24 bytes): label u64, upper offset+1 u64, tags offset+1 u32, level u16, flags u16.
        case metas = 2
        /// f32 copies for re-ranking (compact storage with full precision only).
        case fullVectors = 3
        /// The upper-layer link arena, u32 words.
        case upperLinks = 4
        /// The tag-list arena, u32 words.
        case tagLists = 5
        /// Tag names by id: u32 count, then per tag u32 byte length + UTF-8.
        case tagNames = 6
        /// int8 quantiser: `dimension` f32 lows then `dimension` f32 steps.
        case quantizer = 7
        /// Free slots: u32 count then u32 slots.
        case freeSlots = 8
        /// Vector → group (article) pairs: u64 count, then (u64 id, u64 group) pairs.
        case groups = 9
        /// Ranking state (the learned weights, posterior, impressions), owned by `Ranking`.
        case rankerState = 100

        /// Sections the index hands back to its caller on load rather than reading itself.
        public var belongsToCaller: Bool { self == .groups || rawValue >= 100 }

        public var name: String {
            switch self {
            case .nodes: return "nodes"
            case .metas: return "metas"
            case .fullVectors: return "full-vectors"
            case .upperLinks: return "upper-links"
            case .tagLists: return "tag-lists"
            case .tagNames: return "tag-names"
            case .quantizer: return "quantizer"
            case .freeSlots: return "free-slots"
            case .groups: return "groups"
            case .rankerState: return "ranker-state"
            }
        }
    }

    /// Byte offsets of the fixed header fields.
    enum Field {
        static let magic = 0
        static let major = 8
        static let minor = 10
        static let headerBytes = 12
        static let metric = 16
        static let storage = 17
        static let keepFullPrecision = 18
        static let dimension = 20
        static let M = 24
        static let efConstruction = 28
        static let efSearch = 32
        static let stride = 36
        static let seed = 40
        static let slotCount = 48
        static let liveCount = 56
        static let deletedCount = 64
        static let entry = 72
        static let walSequence = 80
        static let createdMillis = 88
        static let sectionCount = 96
        static let nameLength = 100
        static let name = 104
        static let headerCRC = 4092
    }

    static func metricCode(_ m: Metric) -> UInt8 {
        switch m {
        case .cosine: return 1
        case .innerProduct: return 2
        case .l2: return 3
        }
    }

    static func metric(code: UInt8) -> Metric? {
        switch code {
        case 1: return .cosine
        case 2: return .innerProduct
        case 3: return .l2
        default: return nil
        }
    }

    static func storageCode(_ s: VectorStorage) -> UInt8 {
        switch s {
        case .f32: return 1
        case .f16: return 2
        case .int8: return 3
        }
    }

    static func storage(code: UInt8) -> VectorStorage? {
        switch code {
        case 1: return .f32
        case 2: return .f16
        case 3: return .int8
        default: return nil
        }
    }

    static func align(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}

/// What a snapshot's header says, as `inspect` and `verify` print it.
public struct SnapshotInfo: Sendable, Equatable {
    public struct SectionInfo: Sendable, Equatable {
        public var type: UInt32
        public var name: String
        public var flags: UInt32
        public var offset: Int
        public var length: Int
        public var crc: UInt32
    }

    public var path: String
    public var majorVersion: Int
    public var minorVersion: Int
    public var collection: String
    public var parameters: IndexParameters
    public var slotCount: Int
    public var liveCount: Int
    public var deletedCount: Int
    public var entry: UInt64
    /// The last write-ahead-log record this snapshot includes.
    public var walSequence: UInt64
    public var createdMillis: UInt64
    public var fileBytes: Int
    public var sections: [SectionInfo]
}

/// A section supplied by another module (the ranker) to ride in a snapshot.
public struct ExtraSection: Sendable {
    public var type: SnapshotFormat.Section
    public var bytes: [UInt8]
    public init(type: SnapshotFormat.Section, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }
}

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
    /// The file's first 8 bytes, `LDXSNAP\0`.
    public static let magic: [UInt8] = Array("LDXSNAP\0".utf8)
    /// Readers refuse files with a greater major version.
    public static let majorVersion: UInt16 = 1
    /// Bumped for additions older readers can ignore (new optional sections).
    public static let minorVersion: UInt16 = 0
    /// Size of the header page; the first section starts after it.
    public static let headerBytes = 4096
    /// Size of one section-table entry: `u32 type | u32 flags | u64 offset | u64 length | u32 CRC32C | u32 reserved`.
    public static let sectionEntryBytes = 32
    /// Where a section-table entry keeps its offset, length and CRC32C.
    static let sectionOffsetInEntry = 8, sectionLengthInEntry = 16, sectionCRCInEntry = 24
    /// Where section-table entry `i` starts in the header page.
    static func sectionEntry(_ i: Int) -> Int { sectionTableOffset + i * sectionEntryBytes }

    /// Stores where section `i` lies in the file into its entry of the header page at `page`.
    static func storePlacement(_ page: UnsafeMutableRawPointer, section i: Int, offset: Int, length: Int) {
        let e = page + sectionEntry(i)
        e.storeBytes(of: UInt64(offset).littleEndian, toByteOffset: sectionOffsetInEntry, as: UInt64.self)
        e.storeBytes(of: UInt64(length).littleEndian, toByteOffset: sectionLengthInEntry, as: UInt64.self)
    }
    /// Offset of the section table in the header page (fixed fields and the name come before it).
    public static let sectionTableOffset = 256
    /// Entries that fit between the table's start and the header CRC.
    public static let maxSections = (headerBytes - 4 - sectionTableOffset) / sectionEntryBytes
    /// Sections start on multiples of this (a page), so a mapped file can be used in place.
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

        /// The section's name as `inspect` prints it and errors cite it (`nodes`, `tag-lists`, …).
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
    /// One entry of the section table.
    public struct SectionInfo: Sendable, Equatable {
        /// The raw type (a `SnapshotFormat.Section` when this build knows it).
        public var type: UInt32
        /// The type's name, or `unknown-<type>`.
        public var name: String
        /// `SnapshotFormat.optionalFlag` when a reader may skip an unknown section.
        public var flags: UInt32
        /// Byte offset in the file, page-aligned.
        public var offset: Int
        /// Length in bytes (the padding to the next section excluded).
        public var length: Int
        /// CRC32C of the section's bytes.
        public var crc: UInt32
    }

    /// The file read (empty for an image not yet written).
    public var path: String
    /// Format major version of the file.
    public var majorVersion: Int
    /// Format minor version of the file.
    public var minorVersion: Int
    /// The collection name stored in the header.
    public var collection: String
    /// The index parameters the snapshot was built with.
    public var parameters: IndexParameters
    /// Node slots in use, live, deleted or free.
    public var slotCount: Int
    /// Searchable vectors.
    public var liveCount: Int
    /// Tombstones not yet repaired away.
    public var deletedCount: Int
    /// The graph's entry point as stored: `(level + 1) << 32 | slot`, 0 when empty.
    public var entry: UInt64
    /// The last write-ahead-log record this snapshot includes.
    public var walSequence: UInt64
    /// When the snapshot was captured, Unix milliseconds.
    public var createdMillis: UInt64
    /// The file's size: where its last section ends.
    public var fileBytes: Int
    /// The section table, in file order.
    public var sections: [SectionInfo]
}

/// A section supplied by another module (the ranker) to ride in a snapshot.
///
/// Either its bytes are at hand when the snapshot starts, or it is
/// *encoded after the pause*: its owner captures a copy-on-write copy of its
/// state in the pause (O(1) for Swift collections) and hands over a closure
/// that encodes that copy. ``SnapshotInProgress/finish()`` calls it while the
/// writer process streams the index, and writes its bytes after the index's
/// sections, so writers never wait for the encoding (RESULTS.md, "Snapshots
/// of grouped collections").
public struct ExtraSection: Sendable {
    /// The section type, 9 (`groups`) or ≥ 100, that the owner reads back on load.
    public var type: SnapshotFormat.Section
    /// The section's contents, opaque to the index (empty for a section encoded after the pause until it is).
    public var bytes: [UInt8]
    /// Encodes the section after the pause, or nil when ``bytes`` is the content.
    public let encodeAfterPause: (@Sendable () -> [UInt8])?

    /// A section to include in (or as returned from) a snapshot.
    public init(type: SnapshotFormat.Section, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
        encodeAfterPause = nil
    }

    /// A section whose bytes `encode` produces after the pause, from a copy
    /// of its owner's state taken in it (the closure must not read live state).
    public init(type: SnapshotFormat.Section, encodedAfterPause encode: @escaping @Sendable () -> [UInt8]) {
        self.type = type
        bytes = []
        encodeAfterPause = encode
    }
}

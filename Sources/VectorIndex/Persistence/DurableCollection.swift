import Foundation
import Primitives

/// Hooks through which another module's state (the ranker's) rides in the
/// same snapshots and write-ahead log as the vectors.
public struct CollectionExtensions: Sendable {
    /// Called with a snapshot's extra sections before the log is replayed.
    public var restore: @Sendable ([ExtraSection]) throws -> Void
    /// Called for each logged record of an extension kind (≥ 16), in order.
    public var replay: @Sendable (WALRecord) throws -> Void
    /// Called while writes are paused for a snapshot: the sections to include.
    public var capture: @Sendable () -> [ExtraSection]

    /// Hooks that default to doing nothing: a collection with no other module's state.
    public init(restore: @escaping @Sendable ([ExtraSection]) throws -> Void = { _ in },
                replay: @escaping @Sendable (WALRecord) throws -> Void = { _ in },
                capture: @escaping @Sendable () -> [ExtraSection] = { [] }) {
        self.restore = restore
        self.replay = replay
        self.capture = capture
    }
}

/// One collection on disk: an index, its write-ahead log and its snapshots,
/// in `DATA/collections/NAME/`.
///
/// Every change is validated, then appended to the log, then applied, under
/// one lock, so the log's order is the order of the index's changes and a
/// change is acknowledged only once it is logged (and synced, under
/// `always`). Searches go straight to `index` and never take that lock.
public final class DurableCollection: @unchecked Sendable {
    /// The collection's name (its directory name).
    public let name: String
    /// `DATA/collections/NAME`: its `collection.json`, snapshots and log segments.
    public let directory: String
    /// The in-memory index; search it directly. Change it only through this collection, so every change is logged.
    public let index: HNSWIndex
    /// The collection's write-ahead log.
    public let wal: WriteAheadLog
    /// Snapshots kept; older ones (and the log they no longer need) are deleted.
    public var keepSnapshots: Int
    /// The hooks other modules' state (the ranker's) rides on.
    public let extensions: CollectionExtensions
    private let writeLock = Locked<Void>()
    private let groupsLock = Locked<Void>()
    private var groups: GroupMap

    static let metaFile = "collection.json"

    init(name: String, directory: String, index: HNSWIndex, wal: WriteAheadLog, keepSnapshots: Int,
                 extensions: CollectionExtensions, groups: GroupMap) {
        self.name = name
        self.directory = directory
        self.index = index
        self.wal = wal
        self.keepSnapshots = keepSnapshots
        self.extensions = extensions
        self.groups = groups
    }

    // MARK: - Opening

    /// Creates a new, empty collection directory with its parameters.
    static func create(name: String, directory: String, parameters: IndexParameters, policy: FsyncPolicy,
                       keepSnapshots: Int, extensions: CollectionExtensions) throws -> DurableCollection {
        try parameters.validate()
        try FileIO.makeDirectory(directory)
        let data = try JSONEncoder().encode(parameters)
        try writeAtomically(directory + "/" + metaFile, data)
        let index = try HNSWIndex(parameters: parameters)
        let wal = try WriteAheadLog(directory: directory, nextSequence: 1, policy: policy)
        return DurableCollection(name: name, directory: directory, index: index, wal: wal, keepSnapshots: keepSnapshots,
                                 extensions: extensions, groups: GroupMap())
    }

    // MARK: - Changes

    /// Inserts or replaces vectors: validated, logged, then applied.
    /// - Returns: the log sequence of the change.
    @discardableResult
    public func upsert(_ items: [UpsertItem], threads: Int = 1) throws -> UInt64 {
        let ids = items.map(\.id)
        let vectors = items.flatMap(\.vector)
        let tags = items.map(\.tags)
        _ = try index.validateUpsert(ids: ids, vectors: vectors, tags: tags)
        return try writeLock.withLock {
            let seq = try wal.append(kind: IndexRecordKind.upsert.rawValue,
                                     payload: IndexRecordCodec.encodeUpsert(items, dimension: index.parameters.dimension))
            try index.upsertBatch(ids: ids, vectors: vectors, tags: tags, threads: threads)
            groupsLock.withLock { groups.apply(upserted: items) }
            return seq
        }
    }

    /// Deletes vectors: every id must exist (nothing is deleted otherwise).
    @discardableResult
    public func delete(ids: [UInt64]) throws -> UInt64 {
        try writeLock.withLock {
            try index.validateDelete(ids: ids)
            let seq = try wal.append(kind: IndexRecordKind.delete.rawValue, payload: IndexRecordCodec.encodeDelete(ids))
            try index.deleteBatch(ids: ids)
            groupsLock.withLock { groups.apply(deleted: ids) }
            return seq
        }
    }

    /// The group (article) a vector stands for, or nil.
    public func group(of id: UInt64) -> UInt64? { groupsLock.withLock { groups.group(of: id) } }

    // MARK: - Snapshots

    /// Takes a snapshot while searches (and, but for a fork, writes) go on.
    ///
    /// Writes pause only while the log rotates, the vector → group map is
    /// copied (copy-on-write: the chunk references) and the index forks its writer process
    /// (``HNSWIndex/startSnapshot(collection:path:context:)``); the map and
    /// the callers' sections encoded after the pause are encoded while the
    /// child writes, and the file is written, checksummed and made durable after. Then old
    /// snapshots beyond `keepSnapshots` and the log segments no snapshot needs
    /// are deleted.
    /// - Returns: the new snapshot's path and how long writes were paused.
    @discardableResult
    public func snapshot() throws -> (path: String, pausedSeconds: Double, info: SnapshotInfo) {
        // Most of the log's fsync happens here, before the pause; rotating syncs only what came since.
        try wal.syncAll()
        var paused = 0.0
        let started: SnapshotInProgress = try writeLock.withLock {
            let t = Monotonic.now()
            defer { paused = Monotonic.seconds(since: t) }
            return try index.startSnapshot(
                collection: name, path: { directory + "/" + DurableCollection.snapshotName(walSequence: $0) }
            ) {
                let walSequence = try wal.rotate()
                var extras = extensions.capture()
                // A copy-on-write copy in the pause (the next change copies one chunk of the
                // map's buckets), encoded and sorted after it: at a million vectors the encoding alone took 112 ms.
                let groupsNow = groupsLock.withLock { groups }
                extras.append(ExtraSection(type: .groups, encodedAfterPause: { groupsNow.encoded() }))
                return (walSequence, extras)
            }
        }
        let info = try started.finish()
        try pruneSnapshots()
        return (started.path, paused, info)
    }

    /// Syncs the log and stops appending (shutdown).
    public func close() throws { try wal.close() }

    /// The file name of the snapshot that includes the log up to `walSequence`: `snapshot-<20 digits>.ldx`.
    public static func snapshotName(walSequence: UInt64) -> String {
        FileIO.sequencedName(prefix: "snapshot-", walSequence, suffix: ".ldx")
    }

    /// The snapshot files in `directory`, oldest first.
    public static func snapshots(in directory: String) -> [(sequence: UInt64, path: String)] {
        FileIO.sequencedFiles(in: directory, prefix: "snapshot-", suffix: ".ldx")
    }

    private func pruneSnapshots() throws {
        let all = DurableCollection.snapshots(in: directory)
        let keep = all.suffix(max(keepSnapshots, 1))
        for old in all.dropLast(max(keepSnapshots, 1)) { unlink(old.path) }
        // Keep every log segment that holds a record after the oldest kept snapshot.
        guard let oldest = keep.first?.sequence else { return }
        let segments = WALReader.segments(in: directory)
        for (i, seg) in segments.enumerated() where i + 1 < segments.count && segments[i + 1].first <= oldest + 1 {
            unlink(seg.path)
        }
        try FileIO.fsyncDirectory(directory)
    }
}

/// Writes a small file durably: temporary file, fsync, rename, fsync the directory.
func writeAtomically(_ path: String, _ data: Data) throws {
    let tmp = path + ".tmp"
    let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_TRUNC)
    do {
        try data.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: tmp) }
        try FileIO.fsync(fd, path: tmp)
    } catch {
        Glibc.close(fd)
        throw error
    }
    Glibc.close(fd)
    try FileIO.rename(tmp, path)
    try FileIO.fsyncDirectory(asPath(path).deletingLastComponent)
}

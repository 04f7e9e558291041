import Foundation
import Primitives

/// What opening a collection found and did, for the daemon's log and `STATS`.
public struct RecoveryReport: Sendable {
    /// The snapshot loaded, if any.
    public var snapshot: SnapshotInfo?
    /// Newer snapshots that failed to load, with why (an older one was used).
    public var rejectedSnapshots: [(path: String, error: String)] = []
    /// What replaying the write-ahead log after the snapshot found.
    public var replay = WALReplayReport()
    /// Wall-clock seconds the whole recovery took.
    public var seconds: Double = 0
}

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
    private var groups: [UInt64: UInt64] = [:]

    static let metaFile = "collection.json"

    private init(name: String, directory: String, index: HNSWIndex, wal: WriteAheadLog, keepSnapshots: Int,
                 extensions: CollectionExtensions, groups: [UInt64: UInt64]) {
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
                                 extensions: extensions, groups: [:])
    }

    /// Recovers a collection: loads the newest good snapshot, replays the log
    /// after it (truncating a torn last record), and opens a new log segment.
    ///
    /// - Throws: `PersistenceError.corrupt` naming the file and offset when a
    ///   record in the middle of the log is damaged; nothing is served then.
    static func open(name: String, directory: String, policy: FsyncPolicy, keepSnapshots: Int,
                     extensions: CollectionExtensions) throws -> (DurableCollection, RecoveryReport) {
        let start = Date()
        var report = RecoveryReport()
        let metaPath = directory + "/" + metaFile
        guard let data = FileManager.default.contents(atPath: metaPath) else {
            throw PersistenceError.io(path: metaPath, operation: "read", message: "missing collection parameters")
        }
        let parameters: IndexParameters
        do { parameters = try JSONDecoder().decode(IndexParameters.self, from: data) } catch {
            throw PersistenceError.corrupt(path: metaPath, offset: 0, reason: "unreadable parameters: \(error)")
        }

        var index: HNSWIndex? = nil
        var groups: [UInt64: UInt64] = [:]
        var after: UInt64 = 0
        for snap in snapshots(in: directory).reversed() {
            do {
                let (loaded, info, extras) = try HNSWIndex.load(path: snap.path, mode: .full)
                try extensions.restore(extras.filter { $0.type != .groups })
                if let g = extras.first(where: { $0.type == .groups }) { groups = try decodeGroups(g.bytes, path: snap.path) }
                index = loaded
                after = info.walSequence
                report.snapshot = info
                break
            } catch {
                report.rejectedSnapshots.append((snap.path, "\(error)"))
            }
        }
        let idx = try index ?? HNSWIndex(parameters: parameters)
        report.replay = try WALReader.replay(directory: directory, after: after, repair: true) { record in
            switch IndexRecordKind(rawValue: record.kind) {
            case .upsert:
                let items = try IndexRecordCodec.decodeUpsert(record.payload, path: directory, offset: 0)
                // A logged change that failed when first applied failed for its caller too; it fails the same way now.
                try? idx.upsertBatch(ids: items.map(\.id), vectors: items.flatMap(\.vector), tags: items.map(\.tags), threads: 1)
                for item in items where item.group != 0 { groups[item.id] = item.group }
            case .delete:
                let ids = try IndexRecordCodec.decodeDelete(record.payload, path: directory, offset: 0)
                try? idx.deleteBatch(ids: ids)
                for id in ids { groups.removeValue(forKey: id) }
            case nil:
                if record.kind >= IndexRecordKind.firstExtensionKind { try extensions.replay(record) }
            }
        }
        let next = max(after, report.replay.lastSequence) + 1
        let wal = try WriteAheadLog(directory: directory, nextSequence: next, policy: policy)
        report.seconds = Date().timeIntervalSince(start)
        let collection = DurableCollection(name: name, directory: directory, index: idx, wal: wal,
                                           keepSnapshots: keepSnapshots, extensions: extensions, groups: groups)
        return (collection, report)
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
            groupsLock.withLock {
                for item in items {
                    if item.group != 0 { groups[item.id] = item.group } else { groups.removeValue(forKey: item.id) }
                }
            }
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
            groupsLock.withLock { for id in ids { groups.removeValue(forKey: id) } }
            return seq
        }
    }

    /// The group (article) a vector stands for, or nil.
    public func group(of id: UInt64) -> UInt64? { groupsLock.withLock { groups[id] } }

    // MARK: - Snapshots

    /// Takes a snapshot while searches (and, but for a short copy, writes) go on.
    ///
    /// Writes pause only while the index is copied in memory and the log
    /// rotates; checksumming and the durable write happen after. Then old
    /// snapshots beyond `keepSnapshots` and the log segments no snapshot needs
    /// are deleted.
    /// - Returns: the new snapshot's path and how long writes were paused.
    @discardableResult
    public func snapshot() throws -> (path: String, pausedSeconds: Double, info: SnapshotInfo) {
        var paused = 0.0
        var walSequence: UInt64 = 0
        let image: SnapshotImage = try writeLock.withLock {
            let t = Date()
            var rotateError: Error? = nil
            let img = index.captureSnapshot(collection: name) {
                do { walSequence = try wal.rotate() } catch { rotateError = error }
                var extras = extensions.capture()
                extras.append(ExtraSection(type: .groups, bytes: encodeGroups(groupsLock.withLock { groups })))
                return (walSequence, extras)
            }
            paused = Date().timeIntervalSince(t)
            if let rotateError {
                img.release()
                throw rotateError
            }
            return img
        }
        defer { image.release() }
        let path = directory + "/" + DurableCollection.snapshotName(walSequence: walSequence)
        let info = try image.write(to: path)
        try pruneSnapshots()
        return (path, paused, info)
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

func encodeGroups(_ groups: [UInt64: UInt64]) -> [UInt8] {
    var w = ByteWriter(capacity: 8 + groups.count * 16)
    w.write(UInt64(groups.count))
    for (id, group) in groups.sorted(by: { $0.key < $1.key }) {
        w.write(id)
        w.write(group)
    }
    return w.bytes
}

func decodeGroups(_ bytes: [UInt8], path: String) throws -> [UInt64: UInt64] {
    try withRecordReader(bytes, path: path, origin: 0) { r in
        let count = Int(try r.read(UInt64.self, "group count"))
        var out: [UInt64: UInt64] = [:]
        for _ in 0..<count { out[try r.read(UInt64.self, "group id")] = try r.read(UInt64.self, "group") }
        return out
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

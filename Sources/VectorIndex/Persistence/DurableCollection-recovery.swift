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
    /// Logged changes that failed again when replayed (they failed for their caller
    /// when first applied, and were never acknowledged): how many, and the first few.
    public var rejectedRecords = 0
    /// Up to ten of them: sequence and why.
    public var rejectedRecordSamples: [(sequence: UInt64, reason: String)] = []
    /// Why the collection opened with a partial index (`allowPartial` was set); nil when it is whole.
    public var partial: String?
    /// Seconds spent renumbering the recovered index in graph order
    /// (``HNSWIndex/reorderForLocality()``), part of ``seconds``.
    public var reorderSeconds: Double = 0
    /// Wall-clock seconds the whole recovery took.
    public var seconds: Double = 0
}

extension DurableCollection {
    /// Recovers a collection: loads the newest good snapshot, replays the log
    /// after it (truncating a torn last record), renumbers the index's slots
    /// in graph order, and opens a new log segment.
    ///
    /// - Parameter allowPartial: open even when the result would be a partial index
    ///   (every snapshot rejected, or the log does not start right after the snapshot);
    ///   the report's ``RecoveryReport/partial`` then says why.
    /// - Throws: ``PersistenceError/partialRecovery(directory:reason:)`` in those cases
    ///   without `allowPartial`, and `PersistenceError.corrupt` naming the file and offset
    ///   when a record in the middle of the log is damaged; nothing is served then.
    static func open(name: String, directory: String, policy: FsyncPolicy, keepSnapshots: Int,
                     extensions: CollectionExtensions, allowPartial: Bool = false) throws -> (DurableCollection, RecoveryReport) {
        let start = Date()
        var report = RecoveryReport()
        let parameters = try readParameters(directory)
        var state = RecoveredState(index: nil, groups: GroupMap(), after: 0)
        let snapshotFiles = snapshots(in: directory)
        for snap in snapshotFiles.reversed() {
            do {
                state = try loadSnapshot(snap.path, extensions: extensions)
                report.snapshot = state.snapshot
                break
            } catch {
                report.rejectedSnapshots.append((snap.path, "\(error)"))
            }
        }
        if let problem = partialRecoveryProblem(directory: directory, snapshots: snapshotFiles, loaded: report.snapshot,
                                                after: state.after) {
            guard allowPartial else { throw PersistenceError.partialRecovery(directory: directory, reason: problem) }
            report.partial = problem
        }
        let idx = try state.index ?? HNSWIndex(parameters: parameters)
        var groups = state.groups
        report.replay = try WALReader.replay(directory: directory, after: state.after, repair: true) { record in
            do {
                try replayRecord(record, into: idx, groups: &groups, directory: directory, extensions: extensions)
            } catch let error as IndexError {
                // A logged change that failed when first applied failed for its caller too; it fails the same way now.
                report.rejectedRecords += 1
                if report.rejectedRecordSamples.count < 10 { report.rejectedRecordSamples.append((record.sequence, "\(error)")) }
            }
        }
        // Before serving, nothing else holds the index: renumber its slots in graph order, so
        // searches read neighbours near each other (Benchmarks/RESULTS.md, "Graph order").
        if idx.count > 0 { report.reorderSeconds = try idx.reorderForLocality() }
        let next = max(state.after, report.replay.lastSequence) + 1
        let wal = try WriteAheadLog(directory: directory, nextSequence: next, policy: policy)
        report.seconds = Date().timeIntervalSince(start)
        let collection = DurableCollection(name: name, directory: directory, index: idx, wal: wal,
                                           keepSnapshots: keepSnapshots, extensions: extensions, groups: groups)
        return (collection, report)
    }

    /// The collection's `collection.json`.
    private static func readParameters(_ directory: String) throws -> IndexParameters {
        let metaPath = directory + "/" + metaFile
        guard let data = FileManager.default.contents(atPath: metaPath) else {
            throw PersistenceError.io(path: metaPath, operation: "read", message: "missing collection parameters")
        }
        do { return try JSONDecoder().decode(IndexParameters.self, from: data) } catch {
            throw PersistenceError.corrupt(path: metaPath, offset: 0, reason: "unreadable parameters: \(error)")
        }
    }

    /// A loaded snapshot: its index, group map, sequence, and the other modules' sections restored.
    private struct RecoveredState {
        var index: HNSWIndex?
        var groups: GroupMap
        var after: UInt64
        var snapshot: SnapshotInfo?
    }

    private static func loadSnapshot(_ path: String, extensions: CollectionExtensions) throws -> RecoveredState {
        let (loaded, info, extras) = try HNSWIndex.load(path: path, mode: .full)
        try extensions.restore(extras.filter { $0.type != .groups })
        let groups = try extras.first(where: { $0.type == .groups }).map { try GroupMap(decoding: $0.bytes, path: path) } ?? GroupMap()
        return RecoveredState(index: loaded, groups: groups, after: info.walSequence, snapshot: info)
    }

    /// Why opening would serve a partial index, or nil: every snapshot was rejected, or the
    /// oldest log segment starts after the record following the loaded snapshot (a gap).
    static func partialRecoveryProblem(directory: String, snapshots: [(sequence: UInt64, path: String)],
                                       loaded: SnapshotInfo?, after: UInt64) -> String? {
        if !snapshots.isEmpty, loaded == nil {
            let names = snapshots.map { asPath($0.path).lastComponent }.joined(separator: ", ")
            return "every snapshot was rejected (\(names))"
        }
        if let first = WALReader.segments(in: directory).first, first.first > after + 1 {
            let snapshot = loaded.map { asPath($0.path).lastComponent } ?? "no snapshot"
            return "the oldest log segment \(asPath(first.path).lastComponent) starts at record \(first.first), "
                + "but \(snapshot) ends at record \(after): records \(after + 1)–\(first.first - 1) are missing"
        }
        return nil
    }

    /// Applies one logged record during recovery, the way the live path applied it.
    private static func replayRecord(_ record: WALRecord, into index: HNSWIndex, groups: inout GroupMap, directory: String,
                                     extensions: CollectionExtensions) throws {
        switch IndexRecordKind(rawValue: record.kind) {
        case .upsert:
            let items = try IndexRecordCodec.decodeUpsert(record.payload, path: directory, offset: 0)
            try index.upsertBatch(ids: items.map(\.id), vectors: items.flatMap(\.vector), tags: items.map(\.tags), threads: 1)
            groups.apply(upserted: items)
        case .delete:
            let ids = try IndexRecordCodec.decodeDelete(record.payload, path: directory, offset: 0)
            try index.deleteBatch(ids: ids)
            groups.apply(deleted: ids)
        case nil:
            if record.kind >= IndexRecordKind.firstExtensionKind { try extensions.replay(record) }
        }
    }
}

import Foundation
import Logging
import Primitives
import Ranking
import VectorIndex
import Wire

/// One open collection as the server holds it: the durable collection plus
/// the server-side locks that make "filter, then change" atomic.
///
/// `DurableCollection` serialises its own changes; the server adds
/// `writeLock` because `UPSERT` must count the ids it replaces and `DELETE`
/// must skip unknown ids (the protocol allows them) *in the same step* as the
/// change, and `snapshotLock` so a scheduled snapshot and a `SNAPSHOT`
/// request never write the same collection at once.
public final class CollectionHandle: @unchecked Sendable {
    /// The collection: its index (searched without locks), log and snapshots.
    public let collection: DurableCollection
    let writeLock = NSLock()
    let snapshotLock = NSLock()
    /// Set under `writeLock` when the collection is dropped; later writes find it gone.
    var dropped = false
    /// The log sequence of the newest snapshot (0: none yet), and of the last change.
    let sequences: Locked<(snapshot: UInt64, change: UInt64)>
    /// The collection's ranker and group table; nil when the server serves no ranking.
    let ranking: CollectionRanking?
    /// What opening it found (nil for a collection created by this process), for `STATS`.
    let recovery: RecoveryReport?

    init(_ collection: DurableCollection, snapshotSequence: UInt64, ranking: CollectionRanking?,
         recovery: RecoveryReport? = nil) {
        self.collection = collection
        self.ranking = ranking
        self.recovery = recovery
        sequences = Locked((snapshotSequence, snapshotSequence))
    }

    /// The collection's name.
    public var name: String { collection.name }

    /// Runs a change under the write lock; UNKNOWN_COLLECTION if it was dropped meanwhile.
    func write<T>(_ kind: MessageKind, _ body: () throws -> (T, UInt64?)) throws -> T {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard !dropped else { throw CollectionRegistry.unknown(name, kind) }
        let (result, sequence) = try body()
        if let sequence { sequences.withLock { $0.change = max($0.change, sequence) } }
        return result
    }

    /// Writes a snapshot (one at a time per collection) and records its sequence.
    func snapshot() throws -> (path: String, info: VectorIndex.SnapshotInfo) {
        snapshotLock.lock()
        defer { snapshotLock.unlock() }
        let result: (path: String, pausedSeconds: Double, info: VectorIndex.SnapshotInfo)
        if let ranking {
            // The log's sync (all it holds since the last snapshot) before the ranking gate closes:
            // inside it, rankings and UPSERTs waited for it (RESULTS.md, "Snapshots of grouped collections").
            try collection.wal.syncAll()
            result = try ranking.snapshot { try collection.snapshot() }
        } else {
            result = try collection.snapshot()
        }
        sequences.withLock { $0.snapshot = max($0.snapshot, result.info.walSequence) }
        return (result.path, result.info)
    }

    /// Whether changes were logged since the newest snapshot.
    var hasChangesSinceSnapshot: Bool {
        let ranked = ranking?.lastSequence.withLock { $0 } ?? 0
        return sequences.withLock { max($0.change, ranked) > $0.snapshot }
    }
}

/// The server's collections by name, over one locked `DataDirectory`.
///
/// Lookups (every request) take a short lock on the name table; creating and
/// dropping collections are serialised with each other by a second lock so
/// that two `CREATE_COLLECTION`s of one name cannot both create it.
public final class CollectionRegistry: @unchecked Sendable {
    private let directory: Locked<DataDirectory?>
    private let table = Locked<[String: CollectionHandle]>([:])
    private let mutation = NSLock()
    private let extensions: @Sendable (String) -> CollectionExtensions
    private let rankingConfiguration: RankerConfiguration?
    private let maxCollections: Int
    private let logger: Logger

    /// Opens the data directory (taking `DATA/LOCK`) and recovers every collection in it.
    /// - Throws: `PersistenceError.locked` when another process holds the directory, or
    ///   the recovery error of a collection that cannot be opened (nothing is served then).
    init(configuration: ServerConfiguration, extensions: @escaping @Sendable (String) -> CollectionExtensions,
         logger: Logger) throws {
        let dir = try DataDirectory(path: configuration.dataPath, policy: configuration.fsyncPolicy,
                                    keepSnapshots: configuration.keepSnapshots)
        dir.allowPartialRecovery = configuration.allowPartialRecovery
        directory = Locked(dir)
        self.extensions = extensions
        rankingConfiguration = configuration.ranking
        maxCollections = configuration.maxCollections
        self.logger = logger
        for name in dir.collectionNames().sorted() {
            let ranking = try rankingConfiguration.map { try CollectionRanking(name: name, configuration: $0) }
            let hooks = ranking?.extensions(chaining: extensions(name)) ?? extensions(name)
            let (collection, report) = try dir.openCollection(name, extensions: hooks)
            Self.reportFailures(of: collection, logger: logger)
            ranking?.bind(collection)
            Self.log(report, of: name, count: collection.index.count, logger: logger)
            let handle = CollectionHandle(collection, snapshotSequence: report.snapshot?.walSequence ?? 0, ranking: ranking,
                                          recovery: report)
            handle.sequences.withLock { $0.change = max($0.snapshot, report.replay.lastSequence) }
            table.withLock { $0[name] = handle }
        }
    }

    /// Every failed write or sync of the collection's log goes to the daemon's log as it happens
    /// (`everysec`'s background syncs too); `STATS` shows the counts and the last one.
    private static func reportFailures(of collection: DurableCollection, logger: Logger) {
        let name = collection.name
        collection.wal.onFailure = { message in
            logger.error("write-ahead log failure", metadata: ["collection": "\(name)", "error": "\(message)"])
        }
    }

    private static func log(_ report: RecoveryReport, of name: String, count: Int, logger: Logger) {
        if let partial = report.partial {
            logger.critical("collection opened with a PARTIAL index (--allow-partial-recovery)",
                            metadata: ["collection": "\(name)", "reason": "\(partial)"])
        }
        if report.rejectedRecords > 0 {
            let samples = report.rejectedRecordSamples.map { "\($0.sequence): \($0.reason)" }.joined(separator: "; ")
            logger.warning("log records rejected on replay (they failed for their callers too, never acknowledged)",
                           metadata: ["collection": "\(name)", "count": "\(report.rejectedRecords)", "first": "\(samples)"])
        }
        for rejected in report.rejectedSnapshots {
            logger.warning("snapshot rejected, an older one was used", metadata: ["collection": "\(name)", "path": "\(rejected.path)", "error": "\(rejected.error)"])
        }
        if let torn = report.replay.tornTail {
            logger.warning("write-ahead log had a torn last record (never acknowledged); truncated it",
                           metadata: ["collection": "\(name)", "path": "\(torn.path)", "offset": "\(torn.offset)", "reason": "\(torn.reason)"])
        }
        logger.info("collection recovered", metadata: [
            "collection": "\(name)", "vectors": "\(count)",
            "snapshot": "\(report.snapshot?.path ?? "none")", "replayed_records": "\(report.replay.records)",
            "seconds": "\(report.seconds)", "reorder_seconds": "\(report.reorderSeconds)",
        ])
    }

    static func unknown(_ name: String, _ kind: MessageKind) -> WireError {
        WireError(.unknownCollection, "\(kind.name): no collection named \"\(name)\"; LIST_COLLECTIONS shows the names, CREATE_COLLECTION makes one")
    }

    /// The collection named `name`.
    /// - Throws: `UNKNOWN_COLLECTION` naming it.
    public func handle(_ name: String, for kind: MessageKind) throws(WireError) -> CollectionHandle {
        guard let handle = table.withLock({ $0[name] }) else { throw Self.unknown(name, kind) }
        return handle
    }

    /// Every open collection, sorted by name.
    public func all() -> [CollectionHandle] {
        table.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// Creates a collection, or finds an identical one when `existOK` is set.
    /// - Returns: whether it was created.
    /// - Throws: `COLLECTION_EXISTS` (with the existing parameters when they differ),
    ///   `INVALID_ARGUMENT` for parameters the index refuses, `RESOURCE_EXHAUSTED`
    ///   at ``ServerConfiguration/maxCollections``, `STORAGE_FAILURE`.
    func create(_ name: String, parameters: IndexParameters, existOK: Bool) throws -> Bool {
        mutation.lock()
        defer { mutation.unlock() }
        if let existing = table.withLock({ $0[name] }) {
            let have = existing.collection.index.parameters
            let same = have.dimension == parameters.dimension && have.metric == parameters.metric
                && have.storage == parameters.storage && have.M == parameters.M
                && have.efConstruction == parameters.efConstruction
            if existOK && same { return false }
            throw WireError(.collectionExists, same
                ? "CREATE_COLLECTION: \"\(name)\" exists; set EXIST_OK to accept an identical one"
                : "CREATE_COLLECTION: \"\(name)\" exists with other parameters (dim \(have.dimension), \(have.metric.rawValue), \(have.storage.rawValue), M \(have.M), efConstruction \(have.efConstruction)); drop it first or pick another name")
        }
        let count = table.withLock { $0.count }
        guard count < maxCollections else {
            throw WireError(.resourceExhausted, "CREATE_COLLECTION \"\(name)\": the server holds \(count) collections, its limit "
                + "(serve --max-collections \(maxCollections)); drop one or raise the limit; nothing was created")
        }
        guard let dir = directory.withLock({ $0 }) else { throw WireError(.shuttingDown, "CREATE_COLLECTION: the server is stopping") }
        let ranking = try rankingConfiguration.map { try CollectionRanking(name: name, configuration: $0) }
        let hooks = ranking?.extensions(chaining: extensions(name)) ?? extensions(name)
        let collection = try dir.createCollection(name, parameters: parameters, extensions: hooks)
        Self.reportFailures(of: collection, logger: logger)
        ranking?.bind(collection)
        table.withLock { $0[name] = CollectionHandle(collection, snapshotSequence: 0, ranking: ranking) }
        logger.info("collection created", metadata: ["collection": "\(name)", "dim": "\(parameters.dimension)", "metric": "\(parameters.metric.rawValue)"])
        return true
    }

    /// Drops a collection: later requests find it unknown, its log is closed, its files removed.
    func drop(_ name: String) throws {
        mutation.lock()
        defer { mutation.unlock() }
        guard let handle = table.withLock({ $0.removeValue(forKey: name) }) else { throw Self.unknown(name, .dropCollection) }
        handle.writeLock.lock()
        handle.dropped = true
        handle.writeLock.unlock()
        try? handle.collection.close()
        guard let dir = directory.withLock({ $0 }) else { return }
        try dir.dropCollection(name)
        logger.info("collection dropped", metadata: ["collection": "\(name)"])
    }

    /// Snapshots every collection, syncs and closes its log, and releases
    /// `DATA/LOCK`: the last step of a graceful shutdown.
    /// - Returns: the snapshot paths written, and the errors of those that failed.
    func closeAll(snapshot: Bool) -> (paths: [String], failures: [String]) {
        mutation.lock()
        defer { mutation.unlock() }
        var paths: [String] = [], failures: [String] = []
        for handle in all() {
            handle.writeLock.lock()
            if snapshot && !handle.dropped {
                do { paths.append(try handle.snapshot().path) } catch {
                    failures.append("\(handle.name): \(error)")
                    logger.error("shutdown snapshot failed; the write-ahead log still holds every change", metadata: ["collection": "\(handle.name)", "error": "\(error)"])
                }
            }
            handle.dropped = true
            do { try handle.collection.close() } catch { failures.append("\(handle.name): \(error)") }
            handle.writeLock.unlock()
        }
        table.withLock { $0.removeAll() }
        // The last reference to the directory: its deinit releases DATA/LOCK.
        directory.withLock { $0 = nil }
        return (paths, failures)
    }
}

import Foundation
import Primitives
import Ranking
import VectorIndex
import Wire

/// One collection's ranker (`RANK`, `FEEDBACK`), its group table, and how
/// both ride in the collection's write-ahead log and snapshots.
///
/// ## Log order and locks (docs/ARCHITECTURE.md, "Ranking in the core")
///
/// The ranker calls its journal under its own lock, in the order it applies
/// records. The journal appends the record to the collection's log right
/// there (`WriteAheadLog.append`, which has its own short lock), so the log's
/// order is the order of application and a `RANK` or `FEEDBACK` is answered
/// only after its record is written. It does not take the collection's write
/// lock: that would make a ranking wait for an UPSERT batch's HNSW inserts,
/// which hold it.
///
/// A snapshot must capture the ranker's state at exactly the point where the
/// log rotates. `DurableCollection.snapshot()` asks for the sections while it
/// holds its write lock; taking the ranker's lock there could deadlock with a
/// journal that holds the ranker's lock and waits on the log. So every
/// ranker call and group-table change holds ``gate`` shared, and a snapshot
/// (``snapshot(_:)``) takes it exclusive, copies the state (copy-on-write,
/// O(1)) *before* the collection's write lock, and the capture hook hands
/// over that copy and releases the gate at once — after the log has rotated.
/// The copy is encoded after the pause, while the snapshot's writer process
/// streams the index (``ExtraSection/init(type:encodedAfterPause:)``). Lock
/// order, always: gate → ranker lock → log append lock; gate → collection
/// write lock. Rankings pause only for the log's sync and rotation and the
/// fork, not for the encoding or the file write.
final class CollectionRanking: @unchecked Sendable {
    /// Log record kinds (≥ 16 belong to extensions).
    static let rankingRecordKind: UInt8 = 16
    static let groupChangeKind: UInt8 = 17
    /// Snapshot envelope magic: "LDRS".
    static let envelopeMagic: UInt32 = 0x5352_444C
    static let envelopeVersion: UInt16 = 1

    let name: String
    /// Prefers writers, so a waiting snapshot is not starved by a stream of rankings.
    private let gate = ReadWriteLock(preferringWriters: true)
    /// Guards `ranker` (replaced only by a restore, before serving), `table`
    /// and `capturedState`. Never held while calling the ranker.
    private let lock = NSLock()
    private var ranker: Ranker!
    private var table = RankingGroupTable()
    /// The log to append to; set once recovery is done (a leaf lock: the journal reads it under the ranker's lock).
    private let collection = Locked<DurableCollection?>(nil)
    private var capturedState: StateCopy?
    private var gateHeldBySnapshot = false
    /// Appends that failed (the record was applied but not logged).
    private let logFailures = Locked<UInt64>(0)
    /// The newest log sequence written for ranking.
    let lastSequence = Locked<UInt64>(0)
    /// Records that replay refused (the state they describe already differs).
    private let replaySkipped = Locked<UInt64>(0)

    init(name: String, configuration: RankerConfiguration) throws {
        self.name = name
        ranker = try Ranker(configuration: configuration, journal: journal())
    }

    private func journal() -> RankingJournal {
        { [weak self] record in self?.log(record) }
    }

    /// Called under the ranker's lock, inside the gate.
    private func log(_ record: RankingLogRecord) {
        guard let collection = collection.withLock({ $0 }) else { return }
        do {
            let sequence = try collection.wal.append(kind: Self.rankingRecordKind, payload: record.encode())
            lastSequence.withLock { $0 = max($0, sequence) }
        } catch {
            logFailures.withLock { $0 &+= 1 }
        }
    }

    /// Starts logging to `collection` (after recovery).
    func bind(_ collection: DurableCollection) {
        self.collection.withLock { $0 = collection }
    }

    // MARK: - Serving

    /// Ranks the hits of a search (nearest first, distances ascending).
    /// - Returns: the ranker's result; each group carries its best hit's similarity.
    func rank(hits: [SearchHit], metric: Metric, contextTags: [String], callerFeatures: [String: [UInt64: Float]],
              k: Int) throws -> RankResult {
        let (ranker, gathered) = lock.withLock { (self.ranker!, table.gather(hits, metric: metric)) }
        let request = Ranking.RankRequest(hits: gathered.candidates,
                                          groups: .grouped(gathered.groups, groupOfHit: gathered.groupOfHit),
                                          contextTags: contextTags.map(ContextTag.init),
                                          callerFeatures: callerFeatures, k: k, now: Self.now())
        return try logged { try ranker.rank(request) }
    }

    /// Applies one outcome.
    func feedback(_ record: FeedbackRecord) throws -> FeedbackEffect {
        let ranker = lock.withLock { self.ranker! }
        return try logged { try ranker.feedback(record) }
    }

    /// Runs a ranker call inside the gate and fails it when its record could not be logged.
    private func logged<T>(_ body: () throws -> T) throws -> T {
        gate.lockShared()
        defer { gate.unlock() }
        let failuresBefore = logFailures.withLock { $0 }
        let value = try body()
        if logFailures.withLock({ $0 }) != failuresBefore {
            throw WireError(.storageFailure,
                            "\(name): the ranking record could not be written to the write-ahead log; the outcome is applied in memory but not durable (see the server log; free disk space or restart)")
        }
        return value
    }

    /// Records an UPSERT's or DELETE's effect on the group table: logged, then applied.
    /// Called under the collection handle's write lock, after the change itself was logged.
    /// - Returns: the log sequence of the change record.
    func record(_ change: RankingGroupTable.Change) throws -> UInt64 {
        gate.lockShared()
        defer { gate.unlock() }
        guard let collection = collection.withLock({ $0 }) else { return 0 }
        let sequence = try collection.wal.append(kind: Self.groupChangeKind, payload: change.encoded())
        lock.withLock { table.apply(change) }
        lastSequence.withLock { $0 = max($0, sequence) }
        return sequence
    }

    /// The core's clock for ranking: seconds since the Unix epoch.
    static func now() -> Double { Date().timeIntervalSince1970 }

    /// A search distance as a similarity in [-1, 1] for the ranker (higher is
    /// closer, non-increasing along a result list): `1 − d` for cosine and
    /// inner product (d = 1 − cos or 1 − a·b), `1 − d/2` for squared L2
    /// (which equals the cosine for unit vectors).
    @inline(__always)
    static func similarity(_ distance: Float, metric: Metric) -> Float {
        switch metric {
        case .cosine, .innerProduct: 1 - distance
        case .l2: 1 - distance / 2
        }
    }

    // MARK: - Stats and evaluation

    /// What STATS shows under the collection's `ranking` key.
    struct Stats: Encodable {
        var model: RankerStats
        var groups: Int
        var vectors: Int
        var aliases: Int
        var log_failures: UInt64
        var replay_skipped: UInt64
    }

    func stats() -> Stats {
        let (ranker, groups, vectors, aliases) = lock.withLock {
            (self.ranker!, table.groupCount, table.vectorCount, table.aliasCount)
        }
        return Stats(model: ranker.stats(), groups: groups, vectors: vectors, aliases: aliases,
                     log_failures: logFailures.withLock { $0 }, replay_skipped: replaySkipped.withLock { $0 })
    }

    /// The restored ranker (for `eval-policy`).
    var currentRanker: Ranker { lock.withLock { ranker! } }

    // MARK: - Persistence

    /// The hooks to open or create the collection with; `other` (a caller's
    /// extension) keeps its own sections and record kinds.
    func extensions(chaining other: CollectionExtensions) -> CollectionExtensions {
        CollectionExtensions(
            restore: { [self] sections in
                try restore(sections.filter { $0.type == .rankerState })
                try other.restore(sections.filter { $0.type != .rankerState })
            },
            replay: { [self] record in
                switch record.kind {
                case CollectionRanking.rankingRecordKind, CollectionRanking.groupChangeKind: try replay(record)
                default: try other.replay(record)
                }
            },
            capture: { [self] in [capture()] + other.capture() })
    }

    private func restore(_ sections: [ExtraSection]) throws {
        // Called once per snapshot tried (newest first): start from nothing each time.
        guard let section = sections.first else {
            let current: Ranker = lock.withLock { ranker }
            let configuration = current.configuration
            let fresh = try Ranker(configuration: configuration, journal: journal())
            lock.withLock {
                ranker = fresh
                table = RankingGroupTable()
            }
            return
        }
        let (state, restoredTable) = try section.bytes.withUnsafeBytes { (raw) throws -> ([UInt8], RankingGroupTable) in
            var r = ByteReader<WireError>(raw, context: "ranker-state section")
            guard try r.read(UInt32.self, "magic") == Self.envelopeMagic else {
                throw WireError(.malformedPayload, "ranker-state section: bad magic (expected \"LDRS\")")
            }
            let version = try r.read(UInt16.self, "version")
            guard version == Self.envelopeVersion else {
                throw WireError(.malformedPayload, "ranker-state section: version \(version), this core reads \(Self.envelopeVersion)")
            }
            let length = Int(try r.read(UInt64.self, "ranker length"))
            guard length <= r.remaining else { throw WireError(.malformedPayload, "ranker-state section: ranker length \(length) exceeds the section") }
            let state = Array(try r.readRaw(count: length, "ranker state"))
            let table = try RankingGroupTable(reading: &r)
            try r.expectEnd()
            return (state, table)
        }
        let restored = try Ranker(decoding: state, journal: journal())
        lock.withLock {
            ranker = restored
            table = restoredTable
        }
    }

    private func replay(_ record: WALRecord) throws {
        switch record.kind {
        case Self.rankingRecordKind:
            let decoded = try RankingLogRecord(decoding: record.payload)
            let ranker = lock.withLock { self.ranker! }
            do { try ranker.apply(decoded) } catch is RankingError { replaySkipped.withLock { $0 &+= 1 } }
        default:
            let change = try RankingGroupTable.Change(decoding: record.payload)
            lock.withLock { table.apply(change) }
        }
        lastSequence.withLock { $0 = max($0, record.sequence) }
    }

    /// The ranker's state and the group table at one instant: copy-on-write
    /// copies, taken in O(1) in the snapshot's pause and encoded after it (at a
    /// million vectors the table's encoding alone took 320 ms, and rankings
    /// and UPSERTs would have waited for it at the gate). `@unchecked
    /// Sendable`: value copies, never changed.
    struct StateCopy: @unchecked Sendable {
        let ranker: RankerStateCopy
        let table: RankingGroupTable

        /// The envelope: `u32 "LDRS" | u16 version | u64 n | ranker state[n] | group table`.
        func encodeEnvelope() -> [UInt8] {
            CollectionRanking.encodeEnvelope(state: ranker.encode(), table: table)
        }
    }

    private func copyState() -> StateCopy {
        let (ranker, table) = lock.withLock { (self.ranker!, self.table) }
        return StateCopy(ranker: ranker.copyState(), table: table)
    }

    /// The envelope: `u32 "LDRS" | u16 version | u64 n | ranker state[n] | group table`.
    private static func encodeEnvelope(state: [UInt8], table: RankingGroupTable) -> [UInt8] {
        var w = ByteWriter(capacity: state.count + 32 + table.vectorCount * 17 + table.groupCount * 40)
        w.write(Self.envelopeMagic)
        w.write(Self.envelopeVersion)
        w.write(UInt64(state.count))
        w.write(raw: state)
        table.encode(into: &w)
        return w.bytes
    }

    /// Called by the collection while it holds its write lock, right after the log rotated.
    private func capture() -> ExtraSection {
        let (captured, release): (StateCopy?, Bool) = lock.withLock {
            defer {
                capturedState = nil
                gateHeldBySnapshot = false
            }
            return (capturedState, gateHeldBySnapshot)
        }
        if release { gate.unlock() }
        // Every server snapshot goes through ``snapshot(_:)``. A snapshot taken
        // some other way (a tool with the collection to itself) copies here:
        // safe only because no ranking runs then.
        let copy = captured ?? copyState()
        return ExtraSection(type: .rankerState, encodedAfterPause: { copy.encodeEnvelope() })
    }

    /// Takes a collection snapshot with the ranker's state captured at the log rotation.
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        gate.lockExclusive()
        let copy = copyState()
        lock.withLock {
            capturedState = copy
            gateHeldBySnapshot = true
        }
        defer {
            // If the snapshot failed before its capture hook ran, the gate is still ours.
            let held: Bool = lock.withLock {
                defer {
                    capturedState = nil
                    gateHeldBySnapshot = false
                }
                return gateHeldBySnapshot
            }
            if held { gate.unlock() }
        }
        return try body()
    }
}

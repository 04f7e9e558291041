import Foundation
import Metrics
import Primitives
import VectorIndex
import Wire

/// The server's counters: connections, requests and errors by kind and code,
/// and latency percentiles per kind, for `STATS` (`docs/PROTOCOL.md` §7.12).
///
/// Each count also goes to swift-metrics (`loopdesk_core_requests_total`,
/// `loopdesk_core_errors_total`, `loopdesk_core_request_duration`,
/// `loopdesk_core_connections`), so a process that bootstraps a metrics
/// backend (Prometheus, say) exports them; without one they cost a no-op call.
final class ServerStats: @unchecked Sendable {
    private struct PerKind {
        var requests: UInt64 = 0
        var latency = LatencyHistogram()
        let counter: Counter
        let timer: Metrics.Timer
    }

    private let started = Monotonic.now()
    private let kinds: [Locked<PerKind>?]
    private let errors = Locked<[UInt16: UInt64]>([:])
    private let connectionsNow = Locked<(current: Int, total: UInt64)>((0, 0))
    private let connectionGauge = Gauge(label: "loopdesk_core_connections")

    init() {
        var table = [Locked<PerKind>?](repeating: nil, count: 256)
        for raw in 0...255 {
            let kind = MessageKind(rawValue: UInt8(raw))
            guard MessageKind.defined.contains(kind) else { continue }
            table[raw] = Locked(PerKind(
                counter: Counter(label: "loopdesk_core_requests_total", dimensions: [("kind", kind.name)]),
                timer: Metrics.Timer(label: "loopdesk_core_request_duration", dimensions: [("kind", kind.name)])))
        }
        kinds = table
    }

    /// Counts one request of `kind` that took `nanoseconds` (decode to reply encoded).
    @inline(__always)
    func record(_ kind: MessageKind, nanoseconds: UInt64) {
        guard let slot = kinds[Int(kind.rawValue)] else { return }
        let (counter, timer) = slot.withLock { entry in
            entry.requests &+= 1
            entry.latency.record(nanoseconds)
            return (entry.counter, entry.timer)
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Counts one error reply.
    func recordError(_ code: ErrorCode) {
        errors.withLock { $0[code.rawValue, default: 0] &+= 1 }
        Counter(label: "loopdesk_core_errors_total", dimensions: [("code", code.name)]).increment()
    }

    /// A connection opened (+1) or closed (-1).
    func connection(_ delta: Int) {
        let now = connectionsNow.withLock { state -> Int in
            state.current += delta
            if delta > 0 { state.total &+= UInt64(delta) }
            return state.current
        }
        connectionGauge.record(now)
    }

    /// Connections open now.
    var openConnections: Int { connectionsNow.withLock { $0.current } }

    // MARK: - STATS JSON

    private struct Percentiles: Encodable {
        var p50: Double, p90: Double, p99: Double, p999: Double, max: Double
    }

    private struct Server: Encodable {
        var version: String
        var `protocol`: String
        var uptime_seconds: Double
        var connections: Int
        var connections_total: UInt64
        var requests: [String: UInt64]
        var errors: [String: UInt64]
        var latency_us: [String: Percentiles]
    }

    private struct Collection: Encodable {
        var dim: Int, metric: String, storage: String, M: Int, ef_construction: Int
        var count: Int, deleted: Int, memory_bytes: Int
        var last_snapshot_sequence: UInt64, wal_bytes: Int, kernel: String
        /// The ranker's weights by feature name, updates and feature means; absent without ranking.
        var ranking: CollectionRanking.Stats?
        /// The log's write and sync failures since start.
        var wal: WALStats
        /// What opening the collection found; absent for one created since start.
        var recovery: RecoveryStats?
    }

    /// `wal` in a collection's entry: failures are counted, never dropped.
    private struct WALStats: Encodable {
        var fsync: String, append_failures: UInt64, sync_failures: UInt64
        var last_error: String?, last_error_at: Double?, refusing_writes: Bool

        init(_ policy: FsyncPolicy, _ h: WALHealth) {
            fsync = policy.rawValue
            append_failures = h.appendFailures
            sync_failures = h.syncFailures
            last_error = h.lastError
            last_error_at = h.lastErrorAt
            refusing_writes = h.refusingWrites
        }
    }

    /// `recovery` in a collection's entry.
    private struct RecoveryStats: Encodable {
        var snapshot: String?, rejected_snapshots: [String], replayed_records: Int, rejected_records: Int
        var torn_tail_truncated: Bool, partial: String?, seconds: Double

        init(_ r: RecoveryReport) {
            snapshot = r.snapshot?.path
            rejected_snapshots = r.rejectedSnapshots.map(\.path)
            replayed_records = r.replay.records
            rejected_records = r.rejectedRecords
            torn_tail_truncated = r.replay.tornTail != nil
            partial = r.partial
            seconds = (r.seconds * 1000).rounded() / 1000
        }
    }

    private struct Document: Encodable {
        var server: Server
        var collections: [String: Collection]
    }

    /// The `STATS` reply: the server section and one entry per collection in `collections`.
    func json(serverName: String, collections: [CollectionHandle]) -> String {
        var requests: [String: UInt64] = [:]
        var latency: [String: Percentiles] = [:]
        for (raw, slot) in kinds.enumerated() {
            guard let slot else { continue }
            let name = MessageKind(rawValue: UInt8(raw)).name
            slot.withLock { entry in
                guard entry.requests > 0 else { return }
                requests[name] = entry.requests
                let h = entry.latency
                latency[name] = Percentiles(p50: Self.micros(h.percentile(0.5)), p90: Self.micros(h.percentile(0.9)),
                                            p99: Self.micros(h.percentile(0.99)), p999: Self.micros(h.percentile(0.999)),
                                            max: Self.micros(Double(h.maxValue)))
            }
        }
        let errorCounts = errors.withLock { $0 }
        let connections = connectionsNow.withLock { $0 }
        let server = Server(
            version: serverName,
            protocol: "\(WireProtocol.majorVersion).\(WireProtocol.minorVersion)",
            uptime_seconds: (Monotonic.seconds(since: started) * 10).rounded() / 10,
            connections: connections.current, connections_total: connections.total,
            requests: requests,
            errors: Dictionary(uniqueKeysWithValues: errorCounts.map { (ErrorCode(rawValue: $0.key).name, $0.value) }),
            latency_us: latency)
        var entries: [String: Collection] = [:]
        for handle in collections {
            let index = handle.collection.index
            let p = index.parameters
            entries[handle.name] = Collection(
                dim: p.dimension, metric: p.metric.rawValue, storage: p.storage.rawValue, M: p.M,
                ef_construction: p.efConstruction, count: index.count, deleted: index.deletedCount,
                memory_bytes: index.memoryBytes, last_snapshot_sequence: handle.sequences.withLock { $0.snapshot },
                wal_bytes: Self.walBytes(handle.collection), kernel: index.kernelName,
                ranking: handle.ranking?.stats(),
                wal: WALStats(handle.collection.wal.policy, handle.collection.wal.health),
                recovery: handle.recovery.map(RecoveryStats.init))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Document(server: server, collections: entries))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func micros(_ nanoseconds: Double) -> Double { (nanoseconds / 100).rounded() / 10 }

    /// Bytes of records in the collection's log segments: the finished ones' files,
    /// and of the current one what it holds (its file is allocated further ahead).
    private static func walBytes(_ collection: DurableCollection) -> Int {
        let current = collection.wal.segmentPath
        return WALReader.segments(in: collection.directory).reduce(0) { sum, segment in
            if segment.path == current { return sum + collection.wal.segmentLength }
            let size = (try? FileManager.default.attributesOfItem(atPath: segment.path))?[.size] as? Int
            return sum + (size ?? 0)
        }
    }
}

import Foundation
import Ranking
import VectorIndex
import Wire

/// Everything `loopdesk-core serve` can be told: where to listen, where the
/// data lives, who may connect, and the limits that keep one client from
/// hurting the others. Every field has the default `serve` uses.
public struct ServerConfiguration: Sendable {
    /// The Unix socket to listen on. A live socket there (one that accepts a
    /// connection) stops the server from starting; a stale file is replaced.
    public var socketPath: String
    /// The data directory (`DATA/LOCK`, `DATA/collections/NAME/`).
    public var dataPath: String
    /// The socket file's permission bits (default 0600: only the daemon's user).
    public var socketMode: UInt32 = 0o600
    /// Peer uids allowed to talk (checked with `SO_PEERCRED`); empty allows any
    /// process that can open the socket file. Others get a `PERMISSION_DENIED` notice.
    public var allowedUIDs: Set<UInt32> = []
    /// The largest request payload accepted, advertised in `HELLO`.
    public var maxPayloadLength: UInt32 = WireProtocol.maxPayloadLength
    /// Connections served at once; one more gets a `BUSY` notice.
    public var maxConnections = 256
    /// Requests one connection may have executing on the worker pool; at the
    /// cap the server stops reading that connection until one completes.
    public var maxInFlight = 64
    /// Replies buffered for a connection that does not read them, beyond
    /// which the server stops reading from it (bytes).
    public var outputHighWater = 4 << 20
    /// How long a connection's buffered replies may make no progress before
    /// the server disconnects it (a client that never reads).
    public var writeStallTimeout: Double = 10
    /// How long shutdown waits for in-flight requests before closing anyway.
    public var shutdownGrace: Double = 30
    /// When the write-ahead log is synced (Redis' `appendfsync`).
    public var fsyncPolicy: FsyncPolicy = .everysec
    /// Snapshots kept per collection.
    public var keepSnapshots = 2
    /// Seconds between automatic snapshots of every changed collection; nil for none.
    public var snapshotInterval: Double?
    /// Threads that execute pipelined requests; 0 for one per core.
    public var workerThreads = 0
    /// The settings of the ranker every collection gets (`RANK`, `FEEDBACK`;
    /// docs/RANKING.md); nil serves no ranking (`serve --no-ranking`): those
    /// kinds then answer `RANKING_DISABLED`. A ranker restored from a
    /// snapshot keeps the settings it was created with.
    public var ranking: RankerConfiguration? = RankerConfiguration()
    /// The name sent in `HELLO` and `STATS`.
    public var serverName = "loopdesk-core 0.3"

    /// A configuration with every default: listen on `socketPath`, keep collections under `dataPath`.
    public init(socketPath: String, dataPath: String) {
        self.socketPath = socketPath
        self.dataPath = dataPath
    }

    /// Worker threads after resolving 0 to the core count.
    var resolvedWorkerThreads: Int { workerThreads > 0 ? workerThreads : max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

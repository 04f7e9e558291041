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
    /// The largest reply payload the server builds (`serve --max-reply-bytes`,
    /// default 64 MiB). Each request's reply size is bounded from the request
    /// before it executes (`k × queries` for `SEARCH`, `ids × dimension` for
    /// `GET`); above this the request fails with `RESOURCE_EXHAUSTED` and
    /// nothing is computed (docs/PROTOCOL.md §11). At most 64 MiB, the
    /// protocol's largest payload in either direction (what clients accept).
    public var maxReplyBytes = 64 << 20
    /// Connections served at once; one more gets a `BUSY` notice.
    public var maxConnections = 256
    /// Of ``maxConnections``, the slots kept for trusted peers
    /// (``trustedUIDs``, `serve --reserved-connections`, default 8): other
    /// peers may hold at most `maxConnections − reservedConnections`, so
    /// strangers who can open the socket never starve the answer service.
    public var reservedConnections = 8
    /// The peer uids the reserved slots are kept for (`serve --trusted-uid`);
    /// nil for the uid the daemon runs as, which is the answer service's when
    /// it starts the core itself.
    public var trustedUIDs: Set<UInt32>?
    /// Seconds a new connection has to complete `HELLO` before it is closed
    /// with a `TIMED_OUT` notice (`serve --handshake-timeout`, default 10).
    /// Until then a frame may carry at most `HELLO`'s largest payload.
    public var handshakeTimeout: Double = 10
    /// Seconds a connection may go without sending a whole request, while
    /// nothing of it executes or waits to be sent, before it is closed with a
    /// `TIMED_OUT` notice (`serve --idle-timeout`, default 300; 0 never).
    /// Bytes of an unfinished frame do not count: trickling one byte at a
    /// time does not keep a connection.
    public var idleTimeout: Double = 300
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
    /// Open a collection whose recovery would give a partial index (every snapshot
    /// rejected, or log records missing after it) instead of refusing to start
    /// (`serve --allow-partial-recovery`; docs/OPERATIONS.md "Recovery").
    public var allowPartialRecovery = false
    /// Collections `CREATE_COLLECTION` may bring the server to
    /// (`serve --max-collections`, default 64); one more is `RESOURCE_EXHAUSTED`.
    /// Each collection reserves address space for its index up front (up to
    /// about 400 GiB at 16384 dimensions), so without a cap enough creations
    /// would exhaust the process's 128 TiB. Collections already on disk are
    /// always opened, whatever their number.
    public var maxCollections = 64
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

import ArgumentParser
import CommandLineValues
import CoreServer
import Logging
import Ranking
import VectorIndex

/// `loopdesk-core serve`: the daemon. Wiring only; the behaviour lives in `CoreServer`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the collections of a data directory on a Unix socket (docs/OPERATIONS.md).",
        discussion: "Stops gracefully on SIGTERM or SIGINT: finishes requests in flight, snapshots every collection, removes the socket."
    )

    @Option(help: "Unix socket to listen on; a live socket there stops the start, a stale one is replaced.") var socket: String
    @Option(help: "Data directory (created if missing; locked while serving).") var data: String
    @Option(name: .customLong("socket-mode"), help: "Socket file permissions, octal.") var socketMode = SocketMode(bits: 0o600)
    @Option(name: .customLong("allow-uid"), help: "Only these peer uids may connect (SO_PEERCRED); repeat for several.") var allowUID: [UInt32] = []
    @Option(help: "When the write-ahead log is synced: always, everysec or no.") var fsync: FsyncPolicy = .everysec
    @Option(name: .customLong("keep-snapshots"), help: "Snapshots kept per collection.") var keepSnapshots: Int = 2
    @Flag(name: .customLong("allow-partial-recovery"),
          help: "Open a collection even if every snapshot is rejected or log records after it are missing (serves a partial index; logged as critical).")
    var allowPartialRecovery = false
    @Option(name: .customLong("max-collections"), help: "Collections CREATE_COLLECTION may bring the server to.") var maxCollections: Int = 64
    @Option(name: .customLong("snapshot-interval"), help: "Seconds between automatic snapshots of changed collections (0: none).") var snapshotInterval: Double = 0
    @Option(name: .customLong("max-connections"), help: "Connections served at once.") var maxConnections: Int = 256
    @Option(name: .customLong("reserved-connections"), help: "Of --max-connections, the slots only trusted uids (--trusted-uid) may take.")
    var reservedConnections: Int = 8
    @Option(name: .customLong("trusted-uid"), help: "Peer uids the reserved slots are kept for; repeat for several (default: the uid the daemon runs as).")
    var trustedUID: [UInt32] = []
    @Option(name: .customLong("handshake-timeout"), help: "Seconds a new connection has to complete HELLO.") var handshakeTimeout: Double = 10
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may send no request while nothing of it is executing (0: never).")
    var idleTimeout: Double = 300
    @Option(name: .customLong("max-frame-bytes"), help: "Largest request payload accepted (bytes, at most 67108864).") var maxFrameBytes: UInt32 = 64 << 20
    @Option(name: .customLong("max-reply-bytes"), help: "Largest reply payload built (bytes, at most 67108864); a request whose reply could be larger is refused (RESOURCE_EXHAUSTED).")
    var maxReplyBytes: Int = 64 << 20
    @Option(name: .customLong("max-in-flight"), help: "Requests one connection may have executing at once.") var maxInFlight: Int = 64
    @Option(help: "Worker threads for pipelined requests (0: one per core).") var workers: Int = 0
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info
    @Flag(name: .customLong("no-ranking"), help: "Keep no ranker: RANK and FEEDBACK answer RANKING_DISABLED.") var noRanking = false
    @Flag(name: .customLong("no-huge-pages"),
          help: "Do not advise transparent huge pages for the indexes' memory (if the kernel's THP compaction stalls this machine; docs/OPERATIONS.md).")
    var noHugePages = false
    @Option(name: .customLong("ranking-exploration"), help: "ε of new rankers' ε-greedy exploration, in [0, 1] (restored rankers keep theirs).")
    var rankingExploration: Double = 0

    func run() throws {
        HugePages.advised = !noHugePages
        guard (1...(64 << 20)).contains(maxFrameBytes) else { throw ValidationError("--max-frame-bytes must be 1–67108864") }
        guard (1...(64 << 20)).contains(maxReplyBytes) else { throw ValidationError("--max-reply-bytes must be 1–67108864") }
        guard maxConnections >= 1, maxInFlight >= 1, keepSnapshots >= 1, maxCollections >= 1 else {
            throw ValidationError("--max-connections, --max-in-flight, --keep-snapshots and --max-collections must be at least 1")
        }
        guard (0..<maxConnections).contains(reservedConnections) else {
            throw ValidationError("--reserved-connections must be 0 or more and less than --max-connections (\(maxConnections))")
        }
        guard handshakeTimeout > 0, handshakeTimeout <= 3600 else { throw ValidationError("--handshake-timeout must be in (0, 3600] seconds") }
        guard idleTimeout >= 0, idleTimeout.isFinite else { throw ValidationError("--idle-timeout must be 0 (never) or more seconds") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var config = ServerConfiguration(socketPath: socket, dataPath: data)
        config.socketMode = socketMode.bits
        config.allowedUIDs = Set(allowUID)
        config.fsyncPolicy = fsync
        config.keepSnapshots = keepSnapshots
        config.allowPartialRecovery = allowPartialRecovery
        config.maxCollections = maxCollections
        config.snapshotInterval = snapshotInterval > 0 ? snapshotInterval : nil
        config.maxConnections = maxConnections
        config.reservedConnections = reservedConnections
        if !trustedUID.isEmpty { config.trustedUIDs = Set(trustedUID) }
        config.handshakeTimeout = handshakeTimeout
        config.idleTimeout = idleTimeout
        config.maxPayloadLength = maxFrameBytes
        config.maxReplyBytes = maxReplyBytes
        config.maxInFlight = maxInFlight
        config.workerThreads = workers
        if noRanking {
            config.ranking = nil
        } else {
            guard (0...1).contains(rankingExploration) else { throw ValidationError("--ranking-exploration must be in [0, 1]") }
            config.ranking?.explorationRate = rankingExploration
        }
        let server = try CoreServer(configuration: config)
        server.stopOnSignals()
        server.start()
        server.waitUntilStopped()
    }
}

import Foundation
import Logging
import Primitives
import VectorIndex
import Wire

/// `loopdesk-core`'s daemon: serves the collections of one data directory
/// over the protocol of `docs/PROTOCOL.md` on a Unix socket. The entry point
/// of the `CoreServer` module.
///
/// ```swift
/// let server = try CoreServer(configuration: ServerConfiguration(socketPath: "/run/loopdesk/core.sock",
///                                                                  dataPath: "/var/lib/loopdesk"))
/// server.start()
/// server.stopOnSignals()          // SIGTERM / SIGINT → graceful shutdown
/// server.waitUntilStopped()
/// ```
///
/// Concurrency (docs/ARCHITECTURE.md): a thread accepts; each connection
/// has a thread that reads and answers inline; pipelined searches spill to a
/// worker pool of one thread per core; a flusher thread writes replies to
/// slow readers; writes are serialised per collection and logged before
/// they are acknowledged.
public final class CoreServer: @unchecked Sendable {
    /// What the server was started with.
    public let configuration: ServerConfiguration
    /// The collections served.
    public let collections: CollectionRegistry
    let context: ServerContext
    private let listener: Listener
    let logger: Logger
    private var scheduler: SnapshotScheduler?
    private let stopped = NSCondition()
    private var isStopped = false
    private var started = false

    /// Recovers the data directory and binds the socket; call ``start()`` to serve.
    /// - Throws: ``ListenerError/socketInUse(path:)`` when another server is live on
    ///   the socket, `PersistenceError.locked` when another process holds the data
    ///   directory, or a recovery error naming the damaged file.
    public init(configuration: ServerConfiguration, extensions: ServerExtensionPoints = ServerExtensionPoints(),
                logger: Logger = Logger(label: "loopdesk.core")) throws {
        self.configuration = configuration
        self.logger = logger
        // Fail fast, before a long recovery, when the socket is taken.
        try Listener.removeIfStale(configuration.socketPath)
        collections = try CollectionRegistry(configuration: configuration, extensions: extensions.collectionExtensions,
                                             logger: logger)
        do {
            listener = try Listener(path: configuration.socketPath, mode: configuration.socketMode)
        } catch {
            _ = collections.closeAll(snapshot: false)
            throw error
        }
        context = ServerContext(configuration: configuration, logger: logger, registry: collections, extensions: extensions)
    }

    /// Starts accepting connections (and the snapshot schedule, if configured).
    public func start() {
        precondition(!started, "CoreServer.start() called twice")
        started = true
        if let interval = configuration.snapshotInterval, interval > 0 {
            scheduler = SnapshotScheduler(interval: interval, registry: collections, logger: logger)
        }
        startThread("ldcore-accept") { [self] in acceptLoop() }
        logger.info("serving", metadata: [
            "socket": "\(configuration.socketPath)", "data": "\(configuration.dataPath)",
            "mode": "0\(String(configuration.socketMode, radix: 8))", "fsync": "\(configuration.fsyncPolicy.rawValue)",
            "collections": "\(collections.all().count)", "workers": "\(configuration.resolvedWorkerThreads)",
        ])
    }

    private func acceptLoop() {
        while let fd = listener.accept() {
            if context.isStopping {
                Listener.refuse(fd, WireError(.shuttingDown, "the server is stopping"))
                continue
            }
            if !configuration.allowedUIDs.isEmpty {
                let uid = Listener.peerUID(fd)
                guard let uid, configuration.allowedUIDs.contains(uid) else {
                    logger.warning("refused a peer whose uid is not allowed", metadata: ["uid": "\(uid.map(String.init) ?? "unknown")"])
                    Listener.refuse(fd, WireError(.permissionDenied,
                        "uid \(uid.map(String.init) ?? "unknown") is not allowed on this socket (serve --allow-uid)"))
                    continue
                }
            }
            guard let connection = context.admit(fd) else {
                logger.warning("refused a connection at the limit", metadata: ["max_connections": "\(configuration.maxConnections)"])
                Listener.refuse(fd, WireError(.busy,
                    "the server is at its limit of \(configuration.maxConnections) connections; retry later or reuse a connection"))
                continue
            }
            startThread("ldcore-conn-\(connection.number)") { connection.run() }
        }
        listener.closeDescriptor()
    }

    /// Connections open now.
    public var openConnections: Int { context.stats.openConnections }

    /// Executes one request in this process, without a socket: the same
    /// decoding, validation, execution and reply encoding a connection runs
    /// (for benchmarks and tools; it is not counted in `STATS`).
    /// - Returns: the reply.
    /// - Throws: the ``WireError`` a client would receive.
    public func execute<R: WireRequest>(_ request: R) throws -> R.Response {
        let decoded = try Request.decode(kind: R.kind, payload: request.payloadBytes)
        let reply: any WireMessage
        do {
            reply = try context.dispatcher.execute(decoded, minor: WireProtocol.minorVersion)
        } catch {
            throw ErrorMapping.wireError(error, kind: R.kind, collection: nil)
        }
        return try R.Response.decode(payload: reply.payloadBytes)
    }

    // MARK: - Shutdown

    /// Stops gracefully: stops accepting, lets in-flight requests finish and
    /// their replies go out (idle clients get a `SHUTTING_DOWN` notice),
    /// snapshots every collection, closes the logs, removes the socket file
    /// and releases `DATA/LOCK`. Returns when all that is done; a second
    /// call waits for the first.
    /// - Returns: the snapshot files written.
    @discardableResult
    public func shutdown() -> [String] {
        guard context.beginStopping() else {
            waitUntilStopped()
            return []
        }
        logger.info("shutting down: no new requests; finishing those in flight")
        listener.stopAccepting()
        if !started { listener.closeDescriptor() }
        for connection in context.openConnections { connection.stopReading() }
        if !context.waitForConnections(seconds: configuration.shutdownGrace) {
            logger.warning("connections still busy after the grace period; closing them")
            for connection in context.openConnections { connection.state.withLock { connection.markBrokenLocked() } }
            _ = context.waitForConnections(seconds: 5)
        }
        scheduler?.stop()
        context.pool.stop()
        let (paths, failures) = collections.closeAll(snapshot: true)
        listener.removeSocketFile()
        context.flusher.stop()
        logger.info("stopped", metadata: ["snapshots": "\(paths.count)", "failures": "\(failures.count)"])
        stopped.withLock {
            isStopped = true
            stopped.broadcast()
        }
        return paths
    }

    /// Blocks until ``shutdown()`` has completed.
    public func waitUntilStopped() {
        stopped.withLock { while !isStopped { stopped.wait() } }
    }
}

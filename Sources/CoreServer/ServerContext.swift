import Foundation
import Logging
import Primitives
import Wire

/// What every connection shares: the configuration, the dispatcher and the
/// worker pool, the output flusher, the statistics, and the set of open
/// connections that shutdown walks.
final class ServerContext: @unchecked Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let stats: ServerStats
    let dispatcher: RequestDispatcher
    let pool: WorkerPool
    let flusher: OutputFlusher
    let extensions: ServerExtensionPoints
    private let stopping = Locked(false)
    private let open = NSCondition()
    private var connections: [UInt64: Connection] = [:]
    private var nextNumber: UInt64 = 0

    init(configuration: ServerConfiguration, logger: Logger, registry: CollectionRegistry, extensions: ServerExtensionPoints) {
        self.configuration = configuration
        self.logger = logger
        self.extensions = extensions
        stats = ServerStats()
        dispatcher = RequestDispatcher(registry: registry, stats: stats, configuration: configuration)
        pool = WorkerPool(threads: configuration.resolvedWorkerThreads)
        flusher = OutputFlusher(stallTimeout: configuration.writeStallTimeout)
    }

    /// Whether shutdown has begun: no new request is executed.
    var isStopping: Bool { stopping.withLock { $0 } }

    /// Marks the server as stopping. - Returns: false if it already was.
    func beginStopping() -> Bool {
        stopping.withLock { was in
            defer { was = true }
            return !was
        }
    }

    /// Registers a new connection unless the server is at `maxConnections`.
    /// - Returns: the connection, or nil when full.
    func admit(_ fd: Int32) -> Connection? {
        open.withLock {
            guard connections.count < configuration.maxConnections else { return nil }
            nextNumber += 1
            let connection = Connection(fd: fd, number: nextNumber, context: self)
            connections[nextNumber] = connection
            stats.connection(+1)
            return connection
        }
    }

    /// Called by a connection's thread as its last act.
    func connectionEnded(_ connection: Connection) {
        open.withLock {
            connections.removeValue(forKey: connection.number)
            stats.connection(-1)
            open.broadcast()
        }
    }

    /// Every open connection.
    var openConnections: [Connection] { open.withLock { Array(connections.values) } }

    /// Waits until every connection has closed, or `seconds` pass.
    /// - Returns: whether all closed.
    func waitForConnections(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return open.withLock {
            while !connections.isEmpty {
                if !open.wait(until: deadline) { return connections.isEmpty }
            }
            return true
        }
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Support

/// A few ``PostgresConnection``s to one database, on an event-loop group of their own, lent to
/// one caller at a time: the bridge from the store's synchronous protocol to PostgresNIO.
///
/// A caller blocks on its connection's futures (`wait()`), which is safe because the callers
/// are the service's threads, never this group's event loops. Connections are opened when
/// needed, up to `maximum`; a caller finding all of them lent waits for one. Every connection
/// has `search_path` set to the workspace's schema, so the store's SQL names tables unqualified.
/// A connection that failed with a connection loss is closed and replaced on the next checkout.
final class PostgresConnectionPool: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let configuration: PostgresConnection.Configuration
    private let schema: String
    private let maximum: Int
    private let timeout: TimeAmount
    private let logger: Logger
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var lent = 0
    private var nextID = 1
    private var isShutDown = false

    /// A pool of at most `maximum` connections with `search_path` = `schema` (quoted as given),
    /// whose statements fail when unanswered for `timeout` seconds.
    init(configuration: PostgresConnection.Configuration, schema: String, maximum: Int, timeout: TimeInterval, logger: Logger) {
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.configuration = configuration
        self.schema = schema
        self.maximum = max(1, maximum)
        self.timeout = .nanoseconds(Int64(max(0.001, timeout) * 1e9))
        self.logger = logger
    }

    /// Runs `body` with a connection of the pool, returning it afterwards (closed instead when
    /// `body` threw a connection loss).
    /// - Throws: what `body` throws; ``SupportError/storageUnavailable(_:retryAfter:)`` when no
    ///   connection can be made; ``SupportError/storeFailure(_:)`` once the pool is shut down.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let result = try body(PostgresSession(connection: connection, logger: logger, timeout: timeout))
            checkIn(connection, broken: connection.isClosed)
            return result
        } catch {
            checkIn(connection, broken: connection.isClosed || PostgresFailure.isStorageUnavailable(error))
            throw error
        }
    }

    /// Closes every connection and the event loops; a second call does nothing. Calls after it
    /// fail; it waits for no lent connection (the store's owner stops using it first).
    func shutdown() {
        condition.lock()
        guard !isShutDown else {
            condition.unlock()
            return
        }
        let connections = idle
        idle = []
        isShutDown = true
        condition.broadcast()
        condition.unlock()
        for connection in connections {
            do {
                try connection.close().wait()
            } catch {
                logger.debug("closing a PostgreSQL connection at shutdown failed", metadata: ["error": "\(error)"])
            }
        }
        do {
            try group.syncShutdownGracefully()
        } catch {
            logger.warning("shutting the PostgreSQL store's event loops down failed", metadata: ["error": "\(error)"])
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while true {
            if isShutDown {
                condition.unlock()
                throw SupportError.storeFailure("the PostgreSQL store is closed")
            }
            if let connection = idle.popLast() {
                if connection.isClosed { continue }   // lost while idle: dropped, a new one is opened
                lent += 1
                condition.unlock()
                return connection
            }
            if lent < maximum { break }
            condition.wait()
        }
        lent += 1
        let id = nextID
        nextID += 1
        condition.unlock()
        do {
            return try open(id: id)
        } catch {
            condition.lock()
            lent -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection, broken: Bool) {
        condition.lock()
        lent -= 1
        let closeIt = broken || isShutDown
        if !closeIt { idle.append(connection) }
        condition.signal()
        condition.unlock()
        if closeIt, !connection.isClosed {
            connection.close().whenFailure { [logger] error in
                logger.debug("closing a broken PostgreSQL connection failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Opens connection `id` and points its `search_path` at the schema.
    private func open(id: Int) throws -> PostgresConnection {
        var configuration = configuration
        configuration.options.connectTimeout = timeout
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            throw PostgresFailure.supportError(error, doing: "connecting")
        }
        do {
            try PostgresSession(connection: connection, logger: logger, timeout: timeout).execute("SET search_path TO \(quotedIdentifier(schema))")
        } catch {
            connection.close().whenFailure { [logger] error in
                logger.debug("closing a PostgreSQL connection failed", metadata: ["error": "\(error)"])
            }
            throw error
        }
        return connection
    }
}

/// `name` as a PostgreSQL identifier in double quotes (inner quotes doubled).
func quotedIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

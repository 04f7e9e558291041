import Foundation
import Logging
import PostgresNIO
import Support

/// The shared ``SupportStore``: one PostgreSQL schema per workspace, so that several answer
/// services (and their replicas) read and write one store. The embedded alternative is
/// ``SQLiteStore``; both keep the same tables, migrated from the same list of steps
/// (`Schema/`, each mirroring a migration of `SQLiteSchema`), and answer every read alike.
///
/// The protocol is synchronous, so each call borrows a connection of a small pool (on an
/// event-loop group of the store's own) and blocks the calling thread until PostgreSQL
/// answers. ``write(_:)`` is one `BEGIN … COMMIT` on one connection held for its body, so an
/// outcome, the alias it adds and the core operations it queues commit together. Writers of
/// one workspace take turns, as SQLite's one writer does (``PostgresTransaction``); readers
/// never wait for them.
///
/// A server that cannot write (disk full, I/O error) or cannot be reached is
/// ``SupportError/storageUnavailable(_:retryAfter:)``, as SQLite's full disk is; any other
/// failure is ``SupportError/storeFailure(_:)`` with PostgreSQL's message.
///
/// Call ``close()`` when done: it closes the connections and stops the event loops.
public final class PostgresStore: SupportStore {
    /// The schema every service of a workspace shares when none is named.
    public static let defaultSchema = "loopdesk"
    /// Connections a store opens at most, when not told: enough for a service's concurrent
    /// requests on a small machine without holding many server processes.
    public static let defaultMaximumConnections = 4
    /// Seconds a statement (or a connection attempt) may go unanswered, when not told, before
    /// it fails as ``SupportError/storageUnavailable(_:retryAfter:)``: long enough for any report
    /// and for a writer's turn, short enough that a dead server does not hold requests for ever.
    public static let defaultTimeout: TimeInterval = 60

    /// Where the store connects (without a password in its description).
    public let url: PostgresStoreURL
    /// The workspace's schema: every table of the store is in it.
    public let schema: String
    let pool: PostgresConnectionPool

    /// Opens the store of `schema` in the database at `url`, creating the schema if it is
    /// missing and migrating it.
    /// - Parameters:
    ///   - url: `postgres://user[:password]@host[:port]/database` (or `postgresql://`); a host
    ///     that is a directory (`%2Frun%2Fpostgresql`, or `?host=/run/postgresql`) is a Unix socket's.
    ///   - schema: the workspace's PostgreSQL schema (``defaultSchema`` when not told).
    ///   - maximumConnections: connections opened at most (one more caller waits for one).
    ///   - timeout: seconds a statement or a connection attempt may go unanswered (its connection
    ///     is then closed and replaced).
    ///   - logger: where connection events go.
    /// - Throws: ``SupportError/storeFailure(_:)`` for a URL or schema name it cannot use or a
    ///   migration PostgreSQL refused; ``SupportError/storageUnavailable(_:retryAfter:)`` when
    ///   the server cannot be reached.
    public static func open(url: String, schema: String = defaultSchema, maximumConnections: Int = defaultMaximumConnections,
                            timeout: TimeInterval = defaultTimeout,
                            logger: Logger = Logger(label: "loopdesk.store.postgres")) throws -> PostgresStore {
        let parsed: PostgresStoreURL
        do {
            parsed = try PostgresStoreURL(parsing: url)
        } catch {
            throw SupportError.storeFailure("cannot use the PostgreSQL URL: \(error)")
        }
        return try PostgresStore(url: parsed, schema: schema, maximumConnections: maximumConnections, timeout: timeout, logger: logger)
    }

    /// Opens the store of `schema` at a parsed URL; see ``open(url:schema:maximumConnections:timeout:logger:)``.
    public init(url: PostgresStoreURL, schema: String = defaultSchema, maximumConnections: Int = defaultMaximumConnections,
                timeout: TimeInterval = defaultTimeout, logger: Logger = Logger(label: "loopdesk.store.postgres")) throws {
        try Self.validate(schema: schema)
        self.url = url
        self.schema = schema
        pool = PostgresConnectionPool(configuration: Self.configuration(for: url), schema: schema, maximum: maximumConnections,
                                      timeout: timeout, logger: logger)
        do {
            _ = try pool.withSession { session in try PostgresSchema.migrate(session, schema: schema) }
        } catch {
            pool.shutdown()
            throw Self.opening(url, error)
        }
    }

    /// How PostgresNIO connects to `url`: its Unix socket, or TCP without TLS.
    static func configuration(for url: PostgresStoreURL) -> PostgresConnection.Configuration {
        if let socket = url.socketPath {
            return .init(unixSocketPath: socket, username: url.user, password: url.password, database: url.database)
        }
        return .init(host: url.host ?? "localhost", port: url.port, username: url.user, password: url.password,
                     database: url.database, tls: .disable)
    }

    /// Closes the connections and stops the store's event loops. The store cannot be used
    /// afterwards (its calls throw ``SupportError/storeFailure(_:)``); closing twice does nothing.
    public func close() {
        pool.shutdown()
    }

    deinit {
        pool.shutdown()
    }

    /// Runs `body` in one transaction: `BEGIN`, the workspace's write lock, `body`, `COMMIT`
    /// (`ROLLBACK` when it throws).
    /// - Throws: what `body` throws; ``SupportError/storageUnavailable(_:retryAfter:)`` when
    ///   the server cannot write or be reached (nothing was recorded);
    ///   ``SupportError/storeFailure(_:)`` for any other failure of PostgreSQL's.
    public func write<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T {
        try transaction { session in try body(PostgresWriter(session: session)) }
    }

    /// A value of the service's state table.
    public func value(forKey key: String) throws -> String? {
        try read { session in try session.row("SELECT value FROM service_state WHERE key = $1", [key]).map { try $0["value"] } }
    }

    // MARK: The ways in

    /// One write transaction on a connection of the pool: every writer's way in.
    func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try pool.withSession { session in try PostgresTransaction.run(on: session, schema: schema, body) }
    }

    /// One read: its statements run on one connection, each seeing what was committed when it started.
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try pool.withSession(body)
    }

    /// A read of several statements that must agree (one snapshot, as SQLite's reads are):
    /// a `REPEATABLE READ READ ONLY` transaction.
    func snapshot<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try pool.withSession { session in
            try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let result = try body(session)
                try session.execute("COMMIT")
                return result
            } catch {
                do { try session.execute("ROLLBACK") } catch {
                    session.logger.debug("ROLLBACK of a read failed", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    private static func validate(schema: String) throws {
        guard !schema.isEmpty, schema.utf8.count <= 63, !schema.contains("\u{0}"), !schema.lowercased().hasPrefix("pg_") else {
            throw SupportError.storeFailure("schema name \"\(schema)\" is not usable: 1–63 bytes, no NUL, not starting with pg_")
        }
    }

    private static func opening(_ url: PostgresStoreURL, _ error: any Error) -> SupportError {
        switch error as? SupportError {
        case .storageUnavailable(let why, let retry)?: .storageUnavailable("cannot open \(url): \(why)", retryAfter: retry)
        case .storeFailure(let why)?: .storeFailure("cannot open \(url): \(why)")
        default: .storeFailure("cannot open \(url): \(error)")
        }
    }
}

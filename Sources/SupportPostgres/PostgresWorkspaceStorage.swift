import Foundation
import Logging
import PostgresNIO
import Support

/// Workspaces in PostgreSQL: one schema per workspace — `loopdesk` for the default one
/// (``PostgresStore/defaultSchema``), `ws_NAME` for each other — and the catalog in the
/// schema `loopdesk_catalog` (``PostgresWorkspaceCatalog``), all in the database of one URL.
/// Every answer service given the same URL (`--store`) shares them all.
public final class PostgresWorkspaceStorage: WorkspaceStorage {
    /// The database, as given.
    public let url: PostgresStoreURL
    public var catalog: any WorkspaceCatalog { postgresCatalog }
    let postgresCatalog: PostgresWorkspaceCatalog
    let connectionsPerWorkspace: Int
    let logger: Logger

    /// The schema of the catalog.
    public static let catalogSchema = "loopdesk_catalog"

    /// Connects to the database of `url` and migrates the catalog.
    /// - Parameter connectionsPerWorkspace: each workspace store's pool size.
    /// - Throws: ``SupportError/storeFailure(_:)`` for a URL it cannot use;
    ///   ``SupportError/storageUnavailable(_:retryAfter:)`` when the server cannot be reached.
    public init(url text: String, connectionsPerWorkspace: Int = PostgresStore.defaultMaximumConnections,
                logger: Logger = Logger(label: "loopdesk.store.postgres")) throws {
        do {
            url = try PostgresStoreURL(parsing: text)
        } catch {
            throw SupportError.storeFailure("cannot use the PostgreSQL URL: \(error)")
        }
        self.connectionsPerWorkspace = connectionsPerWorkspace
        self.logger = logger
        postgresCatalog = try PostgresWorkspaceCatalog(url: url, schema: Self.catalogSchema, logger: logger)
    }

    /// The schema of `workspace`'s store.
    public static func schema(of workspace: WorkspaceName) -> String {
        workspace.isDefault ? PostgresStore.defaultSchema : "ws_" + workspace.rawValue
    }

    public func location(of workspace: WorkspaceName) -> String { "\(url) schema \(Self.schema(of: workspace))" }

    public func openStore(for workspace: WorkspaceName) throws -> any SupportStore {
        try PostgresStore(url: url, schema: Self.schema(of: workspace), maximumConnections: connectionsPerWorkspace, logger: logger)
    }

    /// Drops the workspace's schema and every table in it.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for the default workspace; PostgreSQL's refusal.
    public func removeStore(for workspace: WorkspaceName) throws {
        guard !workspace.isDefault else { throw SupportError.invalidRequest("the default workspace cannot be removed") }
        _ = try postgresCatalog.pool.withSession { session in
            try session.execute("DROP SCHEMA IF EXISTS \(quotedIdentifier(Self.schema(of: workspace))) CASCADE")
        }
    }
}

/// The ``WorkspaceCatalog`` in PostgreSQL: the tables `workspaces` and `workspace_tokens` of
/// the schema `loopdesk_catalog`, mirroring ``SQLiteWorkspaceCatalog``'s.
final class PostgresWorkspaceCatalog: WorkspaceCatalog, @unchecked Sendable {
    let pool: PostgresConnectionPool
    let schema: String

    init(url: PostgresStoreURL, schema: String, logger: Logger) throws {
        self.schema = schema
        pool = PostgresConnectionPool(configuration: PostgresStore.configuration(for: url), schema: schema, maximum: 2,
                                      timeout: PostgresStore.defaultTimeout, logger: logger)
        do {
            try write { session in
                try session.execute("CREATE SCHEMA IF NOT EXISTS \(quotedIdentifier(schema))")
                try session.execute("CREATE TABLE IF NOT EXISTS workspaces (name TEXT PRIMARY KEY, created_at DOUBLE PRECISION NOT NULL)")
                try session.execute("""
                    CREATE TABLE IF NOT EXISTS workspace_tokens (
                        hash TEXT PRIMARY KEY,
                        workspace TEXT REFERENCES workspaces(name) ON DELETE CASCADE,
                        created_at DOUBLE PRECISION NOT NULL
                    )
                    """)
                try session.execute("CREATE INDEX IF NOT EXISTS workspace_tokens_by_workspace ON workspace_tokens(workspace)")
            }
        } catch {
            pool.shutdown()
            throw error
        }
    }

    deinit { pool.shutdown() }

    func workspaces() throws -> [WorkspaceRecord] {
        try pool.withSession { session in
            try session.rows("SELECT name, created_at FROM workspaces ORDER BY name").map(Self.record)
        }
    }

    func workspace(named name: WorkspaceName) throws -> WorkspaceRecord? {
        try pool.withSession { session in
            try session.row("SELECT name, created_at FROM workspaces WHERE name = $1", [name.rawValue]).map(Self.record)
        }
    }

    func createWorkspace(_ name: WorkspaceName, tokenHash: String, at: Date) throws {
        try write { session in
            let inserted = try session.execute("INSERT INTO workspaces (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                                               [name.rawValue, at.timeIntervalSince1970])
            guard inserted == 1 else { throw SupportError.workspaceExists(name.rawValue) }
            try session.execute("INSERT INTO workspace_tokens (hash, workspace, created_at) VALUES ($1, $2, $3)",
                                [tokenHash, name.rawValue, at.timeIntervalSince1970])
        }
    }

    func deleteWorkspace(_ name: WorkspaceName) throws -> Bool {
        try write { session in
            try session.execute("DELETE FROM workspace_tokens WHERE workspace = $1", [name.rawValue])
            return try session.execute("DELETE FROM workspaces WHERE name = $1", [name.rawValue]) > 0
        }
    }

    func addToken(hash: String, scope: TokenScope, at: Date) throws {
        let workspace: String? = switch scope {
        case .admin: nil
        case .workspace(let name): name.rawValue
        }
        _ = try write { session in
            try session.execute("INSERT INTO workspace_tokens (hash, workspace, created_at) VALUES ($1, $2, $3)",
                                [hash, workspace, at.timeIntervalSince1970])
        }
    }

    func scope(ofTokenHash hash: String) throws -> TokenScope? {
        try pool.withSession { session in
            guard let row = try session.row("SELECT workspace FROM workspace_tokens WHERE hash = $1", [hash]) else { return nil }
            guard let workspace: String = try row["workspace"] else { return .admin }
            return .workspace(try WorkspaceName(workspace))
        }
    }

    private func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try pool.withSession { session in try PostgresTransaction.run(on: session, schema: schema, body) }
    }

    private static func record(_ row: PostgresStoreRow) throws -> WorkspaceRecord {
        WorkspaceRecord(name: try WorkspaceName(try row["name"]), createdAt: try row.date("created_at"))
    }
}

import Foundation
import GRDB

/// The ``WorkspaceCatalog`` of a SQLite deployment: a small file of its own
/// (`catalog.sqlite` in the workspaces folder, ``SQLiteWorkspaceStorage``), apart from
/// every workspace's store, so deleting a workspace's file never touches the list.
public final class SQLiteWorkspaceCatalog: WorkspaceCatalog {
    private let pool: DatabasePool

    /// Opens (creating if needed) and migrates the catalog at `path`.
    /// - Throws: ``SupportError/storeFailure(_:)`` naming the file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw SupportError.storeFailure("cannot open the workspace catalog \(path): \(error)")
        }
    }

    /// The catalog's schema; a released migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: workspaces and their token hashes") { db in
            try db.execute(sql: """
                CREATE TABLE workspaces (
                    name TEXT PRIMARY KEY,
                    created_at REAL NOT NULL
                );
                CREATE TABLE workspace_tokens (
                    hash TEXT PRIMARY KEY,
                    workspace TEXT REFERENCES workspaces(name) ON DELETE CASCADE,
                    created_at REAL NOT NULL
                );
                CREATE INDEX workspace_tokens_by_workspace ON workspace_tokens(workspace);
                """)
        }
        return migrator
    }

    public func workspaces() throws -> [WorkspaceRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, created_at FROM workspaces ORDER BY name").map(Self.record)
        }
    }

    public func workspace(named name: WorkspaceName) throws -> WorkspaceRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT name, created_at FROM workspaces WHERE name = ?", arguments: [name.rawValue]).map(Self.record)
        }
    }

    public func createWorkspace(_ name: WorkspaceName, tokenHash: String, at: Date) throws {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE name = ?", arguments: [name.rawValue]) == true {
                throw SupportError.workspaceExists(name.rawValue)
            }
            try db.execute(sql: "INSERT INTO workspaces (name, created_at) VALUES (?, ?)",
                           arguments: [name.rawValue, at.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO workspace_tokens (hash, workspace, created_at) VALUES (?, ?, ?)",
                           arguments: [tokenHash, name.rawValue, at.timeIntervalSince1970])
        }
    }

    public func deleteWorkspace(_ name: WorkspaceName) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM workspace_tokens WHERE workspace = ?", arguments: [name.rawValue])
            try db.execute(sql: "DELETE FROM workspaces WHERE name = ?", arguments: [name.rawValue])
            return db.changesCount > 0
        }
    }

    public func addToken(hash: String, scope: TokenScope, at: Date) throws {
        let workspace: String? = switch scope {
        case .admin: nil
        case .workspace(let name): name.rawValue
        }
        try write { db in
            try db.execute(sql: "INSERT INTO workspace_tokens (hash, workspace, created_at) VALUES (?, ?, ?)",
                           arguments: [hash, workspace, at.timeIntervalSince1970])
        }
    }

    public func scope(ofTokenHash hash: String) throws -> TokenScope? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT workspace FROM workspace_tokens WHERE hash = ?", arguments: [hash]) else {
                return nil
            }
            guard let workspace: String = row["workspace"] else { return .admin }
            return .workspace(try WorkspaceName(workspace))
        }
    }

    private static func record(_ row: Row) throws -> WorkspaceRecord {
        WorkspaceRecord(name: try WorkspaceName(row["name"]), createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as SupportError {
            throw error
        } catch {
            throw SupportError.storeFailure("the workspace catalog: \(error)")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as SupportError {
            throw error
        } catch let error as DatabaseError where SQLiteStore.isStorageFailure(error) {
            throw SQLiteStore.storageUnavailable(error)
        } catch {
            throw SupportError.storeFailure("the workspace catalog: \(error)")
        }
    }
}

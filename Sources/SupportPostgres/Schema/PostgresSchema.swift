import Foundation
import Support

/// One step of the PostgreSQL schema: statements run in order, in the migrating transaction.
struct PostgresMigration: Sendable {
    /// Its place in the list, recorded in `schema_migrations.version`.
    let version: Int
    /// The name of the SQLite migration it mirrors (`SQLiteSchema`), recorded with it.
    let name: String
    /// Its statements, one each (the extended protocol runs one statement per query).
    let statements: [String]
}

/// The schema of ``PostgresStore``, as migrations mirroring `SQLiteSchema`'s one for one (same
/// tables, columns, constraints, indexes and counters; `BIGSERIAL` for SQLite's
/// `INTEGER PRIMARY KEY AUTOINCREMENT`, `BIGINT` for `INTEGER`, `DOUBLE PRECISION` for `REAL`,
/// `BYTEA` for `BLOB`, PL/pgSQL functions for SQLite's trigger bodies).
///
/// A released migration is never edited: a change is a new one appended to ``migrations`` (and
/// its SQLite twin to `SQLiteSchema`). Applied versions are recorded in the workspace schema's
/// `schema_migrations` table.
enum PostgresSchema {
    /// Every migration, in order.
    static let migrations: [PostgresMigration] = [
        PostgresMigration1.migration, PostgresMigration2.migration, PostgresMigration3.migration, PostgresMigration4.migration,
        PostgresMigration5.migration, PostgresMigration6.migration, PostgresMigration7.migration,
    ]

    /// Creates `schema` if it is missing and applies the migrations it has not had, in one
    /// transaction holding the schema's write lock, so that services opening the same workspace
    /// at once migrate it once.
    /// - Returns: the versions applied now (none for a schema that is up to date).
    @discardableResult
    static func migrate(_ session: PostgresSession, schema: String) throws -> [Int] {
        try PostgresTransaction.run(on: session, schema: schema) { session in
            try session.execute("CREATE SCHEMA IF NOT EXISTS \(quotedIdentifier(schema))")
            try session.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at DOUBLE PRECISION NOT NULL
                )
                """)
            let applied = Set(try session.rows("SELECT version FROM schema_migrations").map { row -> Int in try row["version"] })
            if let unknown = applied.subtracting(migrations.map(\.version)).max() {
                throw SupportError.storeFailure("schema \(schema) has migration \(unknown), newer than this build knows (\(migrations.count))")
            }
            var now: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try session.execute(statement) }
                try session.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                                    [migration.version, migration.name, Date().timeIntervalSince1970])
                now.append(migration.version)
            }
            return now
        }
    }
}

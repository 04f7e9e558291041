import Foundation
import GRDB

/// The embedded ``SupportStore``: one SQLite file through GRDB, in WAL mode,
/// migrated on open (`SQLiteSchema.swift`).
///
/// Reads run concurrently with the one writer (a `DatabasePool`); commits are
/// durable against a process crash (`synchronous = NORMAL` in WAL mode: a power
/// loss can lose the last transactions, never corrupt the file).
public final class SQLiteStore: SupportStore {
    let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    /// - Throws: ``SupportError/storeFailure(_:)`` naming the file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA cache_size = -32768")   // 32 MiB of pages per connection
        }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
        } catch {
            throw SupportError.storeFailure("cannot open \(path): \(error)")
        }
    }

    /// Answers with their vectors (kept in a table of their own so scans of `answers` stay small).
    static let answerColumns = "SELECT a.*, v.vector FROM answers a LEFT JOIN answer_vectors v ON v.answer_key = a.key"

    /// Runs `body` in one write transaction of the pool (one writer at a time; readers go on).
    /// - Throws: ``SupportError/storageUnavailable(_:retryAfter:)`` when SQLite cannot write to
    ///   its disk (full, or an I/O error): the transaction rolled back, nothing was recorded.
    public func write<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T {
        try transaction { db in try body(SQLiteWriter(db: db)) }
    }

    /// One write transaction of the pool, every writer's way in: a disk that cannot take the
    /// write becomes ``SupportError/storageUnavailable(_:retryAfter:)``.
    func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError where Self.isStorageFailure(error) {
            throw Self.storageUnavailable(error)
        }
    }

    /// SQLite's answers for a disk that cannot take the write: full (`SQLITE_FULL`) or failing (`SQLITE_IOERR…`).
    static func isStorageFailure(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR
    }

    static func storageUnavailable(_ error: DatabaseError) -> SupportError {
        .storageUnavailable("the store cannot write to its disk (\(error.message ?? "\(error.resultCode)"))",
                            retryAfter: SupportError.storageRetryAfterSeconds)
    }

    /// A value of the service's state table.
    public func value(forKey key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM service_state WHERE key = ?", arguments: [key]) }
    }
}

import Foundation
import Logging
import NIOCore
import PostgresNIO
import Support

/// A value bound to a `$n` placeholder; nil binds SQL NULL.
typealias PostgresValue = (any PostgresThrowingDynamicTypeEncodable)?

/// One connection of the pool, as the store's code uses it: a statement with positional
/// `$1, $2 …` parameters, run to completion while the calling thread waits. Every failure
/// becomes a ``SupportError`` (``PostgresFailure``), so callers of the store never see
/// PostgresNIO's types.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// How long a statement may go unanswered before its connection is given up (``PostgresFailure/unanswered``).
    let timeout: TimeAmount

    /// Runs one statement and returns its rows.
    func rows(_ sql: String, _ values: [PostgresValue] = []) throws -> [PostgresStoreRow] {
        try run(sql, values).rows.map { PostgresStoreRow(row: $0.makeRandomAccess()) }
    }

    /// Runs one statement and returns its first row, if any.
    func row(_ sql: String, _ values: [PostgresValue] = []) throws -> PostgresStoreRow? {
        try rows(sql, values).first
    }

    /// Runs one statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ values: [PostgresValue] = []) throws -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    /// Runs one statement and returns its command tag's verb (`COMMIT`, or `ROLLBACK` for a
    /// COMMIT of a transaction a failed statement had aborted).
    func command(_ sql: String) throws -> String {
        try run(sql, []).metadata.command
    }

    private func run(_ sql: String, _ values: [PostgresValue]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: values.count)
        do {
            for value in values {
                if let value { try bindings.append(value) } else { bindings.appendNull() }
            }
        } catch {
            throw SupportError.storeFailure("cannot bind a parameter of \(Self.abbreviated(sql)): \(error)")
        }
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        // A statement PostgreSQL does not answer in time (a dead server, or a connection the
        // client library lost track of) fails, and its connection is closed so that the pool
        // replaces it. Both completions run on the connection's event loop; the later is ignored.
        let connection = connection
        guard !connection.isClosed else {
            throw SupportError.storageUnavailable("the PostgreSQL store's connection was lost before \(Self.abbreviated(sql))",
                                                  retryAfter: SupportError.storageRetryAfterSeconds)
        }
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        let timer = connection.eventLoop.scheduleTask(in: timeout) {
            answer.fail(PostgresFailure.Unanswered(timeout: timeout))
            connection.close().whenComplete { _ in }   // closing a connection already gone has nothing to report
        }
        connection.query(query, logger: logger).whenComplete { result in
            timer.cancel()
            answer.completeWith(result)
        }
        do {
            // Off the event loop by construction: the store's callers are the service's threads.
            return try answer.futureResult.wait()
        } catch {
            throw PostgresFailure.supportError(error, doing: Self.abbreviated(sql))
        }
    }

    /// The head of a statement, for error messages.
    static func abbreviated(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 80 ? String(flat.prefix(80)) + "…" : flat
    }
}

/// A row read from PostgreSQL, its columns by name. Reading a column as the wrong type (none is
/// expected: only this store writes these tables) throws ``SupportError/storeFailure(_:)``.
struct PostgresStoreRow {
    let row: PostgresRandomAccessRow

    /// The column `name` decoded as `T` (an optional `T` reads NULL as nil).
    subscript<T: PostgresDecodable>(_ name: String) -> T {
        get throws {
            do {
                return try row[name].decode(T.self)
            } catch {
                throw SupportError.storeFailure("cannot read column \(name) as \(T.self): \(String(reflecting: error).prefix(300))")
            }
        }
    }

    /// A 0/1 column (SQLite's INTEGER booleans, kept as BIGINT) as a Bool.
    func flag(_ name: String) throws -> Bool { (try self[name] as Int64) != 0 }

    /// A nullable 0/1 column as a Bool.
    func optionalFlag(_ name: String) throws -> Bool? { (try self[name] as Int64?).map { $0 != 0 } }

    /// A seconds-since-1970 column as a date.
    func date(_ name: String) throws -> Date { Date(timeIntervalSince1970: try self[name]) }

    /// A nullable seconds-since-1970 column as a date.
    func optionalDate(_ name: String) throws -> Date? { (try self[name] as Double?).map(Date.init(timeIntervalSince1970:)) }
}

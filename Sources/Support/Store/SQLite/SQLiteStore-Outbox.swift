import Foundation
import GRDB

/// ``OutboxStore`` on SQLite: the `core_outbox` table, operations as JSON in sequence order.
extension SQLiteStore {
    /// The oldest queued core operations, decoded from their JSON.
    public func pendingOperations(limit: Int) throws -> [QueuedOperation] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM core_outbox ORDER BY seq LIMIT ?", arguments: [limit]).map { row in
                let data: Data = row["operation"]
                let operation = try JSONDecoder().decode(CoreOperation.self, from: data)
                return QueuedOperation(sequence: row["seq"], operation: operation, attempts: row["attempts"])
            }
        }
    }

    /// How many core operations are queued: the running counter the outbox's triggers keep
    /// (migration v3), not a count over the table.
    public func pendingOperationCount() throws -> Int {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'outbox_pending'").map { Int($0.rounded()) } ?? 0
        }
    }
}

import Foundation
import Support

/// ``OutboxStore`` on PostgreSQL: the `core_outbox` table, operations as JSON in sequence order.
extension PostgresStore {
    /// The oldest queued core operations, decoded from their JSON.
    public func pendingOperations(limit: Int) throws -> [QueuedOperation] {
        let rows = try read { session in try session.rows("SELECT * FROM core_outbox ORDER BY seq LIMIT $1", [limitValue(limit)]) }
        return try rows.map { row in
            let data: Data = try row["operation"]
            let operation = try JSONDecoder().decode(CoreOperation.self, from: data)
            return QueuedOperation.stored(sequence: try row["seq"], operation: operation, attempts: try row["attempts"])
        }
    }

    /// How many core operations are queued: the running counter the outbox's triggers keep
    /// (migration 3), not a count over the table.
    public func pendingOperationCount() throws -> Int {
        try read { session in
            try session.row("SELECT value FROM counters WHERE name = 'outbox_pending'").map { row in Int((try row["value"] as Double).rounded()) } ?? 0
        }
    }
}

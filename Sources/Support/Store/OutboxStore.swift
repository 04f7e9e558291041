import Foundation

/// The core outbox as the store keeps it: changes the core has not acknowledged
/// yet, in the order they were made, so outcomes survive a core that is down. A
/// part of ``SupportStore``; ``SupportService`` delivers it.
public protocol OutboxStore: Sendable {
    /// The oldest queued operations, in order, at most `limit`.
    func pendingOperations(limit: Int) throws -> [QueuedOperation]
    /// How many operations are queued.
    func pendingOperationCount() throws -> Int
}

/// The outbox writes of a ``SupportStoreWriter``.
public protocol OutboxStoreWriter {
    /// Queues operations for the core, in order, in the same transaction as the change they carry.
    func enqueue(_ operations: [CoreOperation]) throws
    /// Removes an operation the core acknowledged (or refused for good).
    func completeOperation(sequence: Int64) throws
    /// Counts a failed delivery attempt and keeps the operation queued.
    func failOperation(sequence: Int64, error: String) throws
}

/// A change the core must receive, kept in the store until it is acknowledged.
public enum CoreOperation: Codable, Sendable, Equatable {
    /// FEEDBACK on an impression. `outcome` uses the wire codes: 1 resolved,
    /// 2 escalated, 3 corrected, 4 csat, 5 reopened.
    case feedback(generation: Int, impression: UInt64, group: UInt64, outcome: UInt8, groupUsedInstead: UInt64?, csat: UInt8?)
    /// UPSERT of vectors (ids, row-major vectors, groups, tags per item).
    case upsert(ids: [UInt64], vectors: [Float], groups: [UInt64], tags: [[String]])
    /// DELETE of vector ids.
    case delete(ids: [UInt64])
}

/// A queued ``CoreOperation``.
public struct QueuedOperation: Sendable, Equatable {
    /// Its place in the queue; operations are delivered in this order.
    public var sequence: Int64
    /// What the core must receive.
    public var operation: CoreOperation
    /// Failed delivery attempts so far.
    public var attempts: Int
}

import Foundation
import Logging
import Wire

/// Delivers the store's core outbox in order: FEEDBACK, alias and article
/// upserts, deletes. An operation leaves the outbox only once the core has
/// acknowledged it (or refused it for good), so outcomes received while the
/// core is down wait in SQLite and arrive when it is back.
actor OutboxDelivery {
    private let store: any SupportStore
    private let core: CoreGateway
    private let logger: Logger
    private var generation: Int
    private var tail: Task<Bool, Never>?

    init(store: any SupportStore, core: CoreGateway, generation: Int, logger: Logger) {
        self.store = store
        self.core = core
        self.generation = generation
        self.logger = logger
    }

    func setGeneration(_ value: Int) { generation = value }

    /// Delivers everything queued so far (and anything queued meanwhile).
    /// - Returns: whether the outbox is empty afterwards.
    @discardableResult
    func flush() async -> Bool {
        let previous = tail
        let task = Task { [weak self] () -> Bool in
            _ = await previous?.value
            guard let self else { return false }
            return await self.drain()
        }
        tail = task
        return await task.value
    }

    private func drain() async -> Bool {
        while true {
            let batch: [QueuedOperation]
            do {
                batch = try store.pendingOperations(limit: 256)
            } catch {
                logger.error("cannot read the core outbox: \(error)")
                return false
            }
            if batch.isEmpty { return true }
            for queued in batch {
                do {
                    try await apply(queued.operation)
                    try store.write { try $0.completeOperation(sequence: queued.sequence) }
                } catch let error as SupportError {
                    if case .coreUnavailable = error { return false }
                    logger.error("core outbox operation \(queued.sequence) failed: \(error)")
                    record { try $0.failOperation(sequence: queued.sequence, error: error.description) }
                    return false
                } catch let error as WireError {
                    if Self.isRetryable(error.code) {
                        record { try $0.failOperation(sequence: queued.sequence, error: error.description) }
                        return false
                    }
                    // The core refused it for good (an impression expired, an outcome it already has):
                    // retrying cannot help; log and move on so later outcomes are not held back.
                    if error.code != .outcomeAlreadyRecorded {
                        logger.warning("core refused outbox operation \(queued.sequence), dropped: \(error)")
                    }
                    if !record({ try $0.completeOperation(sequence: queued.sequence) }) { return false }
                } catch {
                    logger.error("core outbox operation \(queued.sequence) failed: \(error)")
                    return false
                }
            }
        }
    }

    /// Writes a delivery's result to the store; a failure is counted and logged, and the
    /// operation stays queued (delivered again later: the core's operations are idempotent).
    /// - Returns: whether the write succeeded.
    @discardableResult
    private func record(_ body: (any SupportStoreWriter) throws -> Void) -> Bool {
        do {
            try store.write(body)
            return true
        } catch {
            DataPathFailures.shared.record(.outboxRecord, error, what: "recording a core outbox delivery", logger: logger)
            return false
        }
    }

    static func isRetryable(_ code: ErrorCode) -> Bool {
        switch code {
        case .busy, .shuttingDown, .storageFailure, .internal, .resourceExhausted: true
        default: false
        }
    }

    private func apply(_ operation: CoreOperation) async throws {
        let collection = core.collection
        let dimension = core.dimension
        let current = generation
        switch operation {
        case let .feedback(generation, impression, group, code, instead, csat):
            guard generation == current, impression != 0 else { return }   // an impression of a collection since rebuilt
            let outcome: FeedbackOutcome
            switch code {
            case FeedbackCode.resolved: outcome = .resolved
            case FeedbackCode.escalated: outcome = .escalated
            case FeedbackCode.corrected: outcome = .corrected(groupUsedInstead: instead)
            case FeedbackCode.csat: outcome = .csat(csat ?? 3)
            default: outcome = .reopened
            }
            try await core.run { client in
                _ = try await client.feedback(collection: collection, impression: impression, group: group, outcome: outcome)
            }
        case let .upsert(ids, vectors, groups, tags):
            try await core.run { client in
                _ = try await client.upsert(collection: collection, items: ItemBatch(dimension: dimension, ids: ids, vectors: vectors,
                                                                                     groups: groups, tags: tags))
            }
        case let .delete(ids):
            try await core.run { client in _ = try await client.delete(collection: collection, ids: ids) }
        }
    }
}

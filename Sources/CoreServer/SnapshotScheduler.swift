import Foundation
import Logging
import Wire

/// Snapshots every collection that changed since its last snapshot, every
/// `interval` seconds (`serve --snapshot-interval`), so recovery replays at
/// most that much log. Runs on its own thread; searches and writes go on.
final class SnapshotScheduler: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false

    init(interval: Double, registry: CollectionRegistry, logger: Logger) {
        startThread("ldcore-snapshot") { [self] in
            while self.sleep(interval) {
                for handle in registry.all() where handle.hasChangesSinceSnapshot {
                    do {
                        let (path, _) = try handle.snapshot()
                        logger.info("scheduled snapshot written", metadata: ["collection": "\(handle.name)", "path": "\(path)"])
                    } catch {
                        logger.error("scheduled snapshot failed; the write-ahead log still holds every change",
                                     metadata: ["collection": "\(handle.name)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Waits `seconds`; false once stopped.
    private func sleep(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopped && condition.wait(until: deadline) {}
        return !stopped
    }

    /// Stops the schedule (a snapshot already being written completes).
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }
}

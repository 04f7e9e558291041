import Foundation
import Primitives

/// The `everysec` background thread: syncs every registered log once a second.
///
/// A failed sync is not dropped: the log counts it and keeps its message in
/// ``WriteAheadLog/health`` (which `STATS` shows) and tells its
/// ``WriteAheadLog/onFailure`` handler (the daemon's log); the records stay
/// written and the next tick tries again.
final class WALFlusher: @unchecked Sendable {
    static let shared = WALFlusher()
    private let lock = Locked<Void>()
    private var logs: [ObjectIdentifier: WeakLog] = [:]
    private var started = false

    private struct WeakLog { weak var log: WriteAheadLog? }

    func register(_ log: WriteAheadLog) {
        lock.withLock {
            logs[ObjectIdentifier(log)] = WeakLog(log: log)
            if !started {
                started = true
                let thread = Thread { [unowned self] in self.run() }
                thread.name = "wal-everysec"
                thread.start()
            }
        }
    }

    func unregister(_ log: WriteAheadLog) {
        lock.withLock { _ = logs.removeValue(forKey: ObjectIdentifier(log)) }
    }

    private func run() {
        while true {
            sleep(1)
            let current = lock.withLock { logs.values.compactMap(\.log) }
            for log in current {
                do {
                    try log.syncAll()
                } catch {
                    // Already counted and reported by the log itself (health, onFailure); retried next tick.
                    continue
                }
            }
        }
    }
}

import Foundation

/// Threads of their own for the store's blocking calls on the ask path, so that a store that
/// waits on the network (PostgreSQL: an ask's write is ten round trips) does not hold one of
/// Swift's cooperative threads — there is one per core — while it waits. Measured in
/// Benchmarks/RESULTS.md ("Workspaces and PostgreSQL"): with the write on the cooperative pool,
/// 20 % of two vCPUs sat idle at four connections while embeddings queued behind it.
///
/// One pool for the process (its threads live as long as it does), shared by every workspace.
final class BlockingStoreCalls: @unchecked Sendable {
    /// The process's pool: 8 threads, enough for the writes of several asks in flight at once.
    static let shared = BlockingStoreCalls(threads: 8)

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var next = 0

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "loopdesk-store-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns what it returns (or throws what it throws).
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            jobs.append { continuation.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            // Drop what was run once the queue drains, so it never grows.
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job()
        }
    }
}

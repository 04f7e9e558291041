import Foundation

/// A fixed set of threads that execute requests handed over by connections
/// whose clients pipeline, so that one connection can keep every core busy.
///
/// A connection answers a lone request inline on its own thread (no hand-off,
/// no wake-up: the latency path); only when more requests are already
/// buffered behind one does it queue that one here.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var idle = 0
    private var running = 0
    private var stopping = false

    /// Starts `threads` workers.
    init(threads: Int) {
        for i in 0..<threads {
            startThread("ldcore-work-\(i)") { [self] in self.work() }
        }
    }

    /// Queues `job`; a worker runs it as soon as one is free.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if idle > 0 { condition.signal() }
        condition.unlock()
    }

    /// Lets the workers finish the queue, then stop.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        condition.lock()
        running += 1
        while true {
            while head == jobs.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == jobs.count && stopping { break }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
            condition.lock()
        }
        running -= 1
        condition.unlock()
    }
}

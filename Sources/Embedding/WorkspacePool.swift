import Foundation

/// Workspaces kept between calls, so that embedding allocates nothing once
/// warm. A caller takes one per thread and gives it back; concurrent callers
/// get their own (the pool grows to the peak concurrency and stays there).
final class WorkspacePool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`, and a workspace
    // belongs to exactly one thread between take() and give(_:).
    private let lock = NSLock()
    private var idle: [BertWorkspace] = []
    private let make: @Sendable () -> BertWorkspace

    init(make: @escaping @Sendable () -> BertWorkspace) {
        self.make = make
    }

    /// An idle workspace, or a new one.
    func take() -> BertWorkspace {
        lock.lock()
        let workspace = idle.popLast()
        lock.unlock()
        return workspace ?? make()
    }

    /// Returns a workspace taken with ``take()``.
    func give(_ workspace: BertWorkspace) {
        lock.lock()
        idle.append(workspace)
        lock.unlock()
    }

    /// Sums the sgemm and forward-pass time of the idle workspaces.
    func timings() -> (sgemm: UInt64, forward: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return idle.reduce((0, 0)) { ($0.0 + $1.sgemmNanoseconds, $0.1 + $1.forwardNanoseconds) }
    }

    /// Zeroes the timings of the idle workspaces.
    func resetTimings() {
        lock.lock()
        defer { lock.unlock() }
        for workspace in idle {
            workspace.sgemmNanoseconds = 0
            workspace.forwardNanoseconds = 0
        }
    }
}

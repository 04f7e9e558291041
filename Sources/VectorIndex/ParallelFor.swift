import CSupport
import Dispatch

/// Runs `body(0..<count)` on `threads` threads, handing out indices in order.
///
/// The closure is not `@Sendable`: callers share raw memory on purpose and
/// make each index touch its own slot.
func parallelForEach(count: Int, threads: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escapable in
        let task = UncheckedBox((escapable, UnsafeMutablePointer<UInt64>.allocate(capacity: 1)))
        task.value.1.initialize(to: 0)
        defer { task.value.1.deallocate() }
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while true {
                let i = Int(ld_fetch_add_u64(task.value.1, 1))
                if i >= count { break }
                task.value.0(i)
            }
        }
    }
}

/// Moves a value across a concurrency boundary whose safety the caller guarantees.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Fixed slots that several threads fill at distinct indices.
final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    func set(_ i: Int, _ value: T) { storage[i] = value }
    var values: [T] { (0..<count).map { storage[$0]! } }
}

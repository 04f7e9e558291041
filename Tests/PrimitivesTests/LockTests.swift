import Dispatch
import Primitives
import XCTest

/// The package's two locks under real contention.
final class LockTests: XCTestCase {
    func testLockedSerialisesReadModifyWrite() {
        let counter = Locked(0)
        let perThread = 10_000
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<perThread { counter.withLock { $0 += 1 } }
        }
        XCTAssertEqual(counter.withLock { $0 }, 8 * perThread, "no increment lost")
    }

    func testPlainMutexGuardsStateBesideIt() {
        final class Tally: @unchecked Sendable {
            let lock = Locked<Void>()
            var items: [Int] = []  // guarded by `lock`
        }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<2_000 {
                if i.isMultiple(of: 2) {
                    tally.lock.withLock { tally.items.append(worker) }
                } else {
                    tally.lock.lock()
                    tally.items.append(worker)
                    tally.lock.unlock()
                }
            }
        }
        XCTAssertEqual(tally.lock.withLock { tally.items.count }, 8_000)
        XCTAssertEqual(Dictionary(grouping: tally.items, by: { $0 }).mapValues(\.count), [0: 2_000, 1: 2_000, 2: 2_000, 3: 2_000])
    }

    func testLockedRethrowsAndReleases() {
        struct Boom: Error {}
        let state = Locked([1])
        XCTAssertThrowsError(try state.withLock { (s: inout [Int]) throws -> Void in
            s.append(2)
            throw Boom()
        })
        XCTAssertEqual(state.withLock { $0 }, [1, 2], "the change before the throw stays, and the lock is free again")
    }

    func testExclusiveHoldersNeverOverlapSharedOnes() {
        for preferringWriters in [false, true] {
            let lock = ReadWriteLock(preferringWriters: preferringWriters)
            let inside = Locked((readers: 0, writers: 0, maxReaders: 0, violations: 0))
            DispatchQueue.concurrentPerform(iterations: 6) { worker in
                for _ in 0..<500 {
                    if worker == 0 {
                        lock.withExclusive {
                            inside.withLock { s in
                                if s.readers != 0 || s.writers != 0 { s.violations += 1 }
                                s.writers += 1
                            }
                            inside.withLock { $0.writers -= 1 }
                        }
                    } else {
                        lock.withShared {
                            inside.withLock { s in
                                if s.writers != 0 { s.violations += 1 }
                                s.readers += 1
                                s.maxReaders = max(s.maxReaders, s.readers)
                            }
                            inside.withLock { $0.readers -= 1 }
                        }
                    }
                }
            }
            XCTAssertEqual(inside.withLock { $0.violations }, 0, "preferringWriters: \(preferringWriters)")
        }
    }

    func testExclusiveHoldCanSpanCallbacks() {
        let lock = ReadWriteLock()
        lock.lockExclusive()
        let acquired = Locked(false)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            lock.withShared { acquired.withLock { $0 = true } }
            done.signal()
        }
        usleep(50_000)
        XCTAssertFalse(acquired.withLock { $0 }, "a shared holder waits while the exclusive hold lasts")
        lock.unlock()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertTrue(acquired.withLock { $0 })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// A plain mutex for short critical sections on the index's bookkeeping.
final class Mutex: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    init() { pthread_mutex_init(m, nil) }
    deinit {
        pthread_mutex_destroy(m)
        m.deallocate()
    }
    @inline(__always) func lock() { pthread_mutex_lock(m) }
    @inline(__always) func unlock() { pthread_mutex_unlock(m) }
    @inline(__always) func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}

/// A readers-writer lock: many holders in shared mode, or one in exclusive mode.
///
/// The index takes it shared for searches *and* ordinary writes (which
/// coordinate through per-node sequence locks), and exclusive only to move or
/// compact its storage, so exclusive sections are rare and short.
final class ReadWriteLock: @unchecked Sendable {
    private let l: UnsafeMutablePointer<pthread_rwlock_t> = .allocate(capacity: 1)
    init() { pthread_rwlock_init(l, nil) }
    deinit {
        pthread_rwlock_destroy(l)
        l.deallocate()
    }
    @inline(__always) func withShared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(l)
        defer { pthread_rwlock_unlock(l) }
        return try body()
    }
    @inline(__always) func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(l)
        defer { pthread_rwlock_unlock(l) }
        return try body()
    }
}

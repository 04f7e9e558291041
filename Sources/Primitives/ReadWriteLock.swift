/// A readers-writer lock: many holders in shared mode, or one in exclusive mode.
///
/// The index takes it shared for searches *and* ordinary writes (which
/// coordinate through per-node sequence locks), and exclusive only to move or
/// compact its storage. The core's ranking gate prefers writers, so that a
/// waiting snapshot is not starved by a stream of rankings.
public final class ReadWriteLock: @unchecked Sendable {
    // @unchecked: a pthread rwlock is made to be shared between threads.
    @usableFromInline let rwlock: UnsafeMutablePointer<pthread_rwlock_t>

    /// Creates an unlocked lock.
    /// - Parameter preferringWriters: when true, a thread waiting for
    ///   exclusive mode blocks new shared holders (glibc prefers readers by
    ///   default; other C libraries ignore the hint).
    public init(preferringWriters: Bool = false) {
        rwlock = .allocate(capacity: 1)
        rwlock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        // 2 is PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP.
        if preferringWriters { pthread_rwlockattr_setkind_np(&attributes, 2) }
        #endif
        pthread_rwlock_init(rwlock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(rwlock)
        rwlock.deallocate()
    }

    /// Runs `body` holding the lock in shared mode.
    @inlinable @inline(__always)
    public func withShared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(rwlock)
        defer { pthread_rwlock_unlock(rwlock) }
        return try body()
    }

    /// Runs `body` holding the lock alone.
    @inlinable @inline(__always)
    public func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(rwlock)
        defer { pthread_rwlock_unlock(rwlock) }
        return try body()
    }

    /// Takes the lock in shared mode, for a hold that one scope cannot
    /// express (pair with ``unlock()``).
    @inlinable @inline(__always)
    public func lockShared() { pthread_rwlock_rdlock(rwlock) }

    /// Takes the lock alone, for a hold that is released in a later callback
    /// (pair with ``unlock()``).
    @inlinable @inline(__always)
    public func lockExclusive() { pthread_rwlock_wrlock(rwlock) }

    /// Releases a hold taken by ``lockShared()`` or ``lockExclusive()``.
    @inlinable @inline(__always)
    public func unlock() { pthread_rwlock_unlock(rwlock) }
}

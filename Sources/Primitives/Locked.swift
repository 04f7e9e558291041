/// State guarded by a pthread mutex, reached only through ``withLock(_:)``.
///
/// The one mutex of the package: the client shares its state between the
/// tasks that send requests and the reader thread, the server between
/// connection threads and workers, the index and the ranker guard their
/// bookkeeping with it. (The standard library's `Mutex` needs macOS 15; the
/// package supports macOS 14.) A `Locked<Void>` is a plain mutex for state
/// that lives beside it: see the `State == Void` extension.
public final class Locked<State>: @unchecked Sendable {
    // @unchecked: `state` is touched only with `mutex` held.
    @usableFromInline var state: State
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Wraps `state`; reach it only through ``withLock(_:)`` from now on.
    public init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the lock held, giving it the state to read or change.
    @inlinable @inline(__always)
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}

extension Locked where State == Void {
    /// A plain mutex, for fields of the owner that it guards (each documented
    /// as "guarded by" it).
    public convenience init() { self.init(()) }

    /// Runs `body` with the lock held.
    @inlinable @inline(__always)
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Takes the lock, for a section that holds it only on some paths (pair
    /// with ``unlock()``; prefer `withLock` everywhere else).
    @inlinable @inline(__always)
    public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the lock taken by ``lock()``.
    @inlinable @inline(__always)
    public func unlock() { pthread_mutex_unlock(mutex) }
}

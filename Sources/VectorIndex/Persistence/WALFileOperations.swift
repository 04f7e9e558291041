import Primitives

/// The system calls a write-ahead log appends, allocates, syncs and trims with.
///
/// The log takes them as values so that a test can make one fail part-way —
/// a short write then `ENOSPC`, an `EIO` from `fdatasync` — and check that the
/// log is left as it was; a running core always uses ``system``.
struct WALFileOperations: Sendable {
    /// Writes every byte to the descriptor at an offset (`pwrite`): segment headers, and
    /// records when ``maps`` is false or the segment could not be mapped.
    var write: @Sendable (Int32, UnsafeRawBufferPointer, Int, String) throws -> Void
    /// Allocates the blocks of a byte range, growing the file (`posix_fallocate`).
    var allocate: @Sendable (Int32, Int, Int, String) throws -> Void
    /// `fdatasync` of the descriptor.
    var datasync: @Sendable (Int32, String) throws -> Void
    /// Cuts the file back to a length and syncs it.
    var truncate: @Sendable (Int32, Int, String) throws -> Void
    /// Whether records are copied into the segment's mapping (false: written with ``write``,
    /// so a test can make one fail part-way).
    var maps: Bool

    /// The real calls.
    static let system = WALFileOperations(
        write: { fd, bytes, offset, path in try FileIO.pwriteAll(fd, bytes, offset: offset, path: path) },
        allocate: { fd, offset, count, path in try FileIO.allocate(fd, offset: offset, count: count, path: path) },
        datasync: { fd, path in try FileIO.fdatasync(fd, path: path) },
        truncate: { fd, length, path in try FileIO.truncate(fd, to: length, path: path) },
        maps: true)
}

/// What has gone wrong with a log's writes, for `STATS` and the daemon's log.
///
/// Failures are never swallowed: an append that failed was trimmed back (or
/// the log refuses writes until it can be), a failed sync is counted and its
/// message kept, whichever thread met it.
public struct WALHealth: Sendable, Equatable {
    /// Appends that failed (the write or, under `always`, the sync); none was acknowledged.
    public var appendFailures: UInt64 = 0
    /// `fdatasync` calls that failed, under any policy (`everysec`'s background ones included).
    public var syncFailures: UInt64 = 0
    /// The most recent failure's message (file, operation, `errno` text).
    public var lastError: String?
    /// When it happened, seconds since 1970.
    public var lastErrorAt: Double?
    /// True while a failed append's bytes could not be trimmed away: every append
    /// is refused until a later attempt trims them.
    public var refusingWrites = false
    /// Created empty: nothing has failed.
    public init() {}
}

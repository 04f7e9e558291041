import CSupport
import Foundation
import Primitives

/// When the write-ahead log forces appended records to disk, as Redis'
/// `appendfsync`: every record is written to the OS before it is acknowledged
/// (so a process crash loses nothing); the policy decides what a machine
/// crash may lose.
public enum FsyncPolicy: String, Sendable, CaseIterable, Codable {
    /// `fdatasync` before acknowledging (concurrent appenders share one sync).
    case always
    /// `fdatasync` once a second in the background: a machine crash loses at most about a second.
    case everysec
    /// Never sync; the OS writes back when it likes.
    case no
}

/// One record of the log: a sequence number, a kind and its payload.
public struct WALRecord: Sendable, Equatable {
    /// Position in the collection's log: consecutive from 1, never reused.
    public var sequence: UInt64
    /// An `IndexRecordKind` (1–15), or another module's kind (≥ 16).
    public var kind: UInt8
    /// The kind's encoding (`IndexRecordKind` documents the index's).
    public var payload: [UInt8]
    /// A record as read back or about to be written.
    public init(sequence: UInt64, kind: UInt8, payload: [UInt8]) {
        self.sequence = sequence
        self.kind = kind
        self.payload = payload
    }
}

/// The append-only, checksummed log of one collection's changes.
///
/// Segment files are `wal-<first sequence, 20 digits>.log`:
///
///     header (32 bytes): "LDXWAL\0\0" | u16 major | u16 minor | u32 reserved | u64 first sequence | u32 CRC32C of the first 24 bytes | u32 reserved
///     record:            u32 payload length | u32 CRC32C | u64 sequence | u8 kind | 3 reserved | payload
///
/// The record's CRC32C covers its length field and then the 12 + length bytes
/// after the checksum (major version 2); in major version 1 segments, which
/// are still read, it covered only the latter.
///
/// A record is copied into the segment before the change is acknowledged:
/// into its mapping over blocks allocated ahead (``WALSegmentFile``), so an
/// append is a copy, not a system call. The segment's bytes past its last
/// record are zeros, which a reader takes as its end. On a full disk the
/// allocation fails and nothing is appended; an append that fails part-way
/// (a short `pwrite` where the segment is not mapped, `EIO`) is cut back to
/// the last whole record; if even that fails the log refuses appends until a
/// later attempt can cut it (``health``). A snapshot at sequence S starts a
/// new segment; segments wholly at or below the oldest kept snapshot are deleted.
public final class WriteAheadLog: @unchecked Sendable {
    /// A segment's first 8 bytes, `LDXWAL\0\0`.
    public static let magic: [UInt8] = Array("LDXWAL\0\0".utf8)
    /// The segment format this build writes; it reads every major version up to it.
    public static let majorVersion: UInt16 = 2
    /// Size of a segment header.
    public static let headerBytes = 32
    /// Bytes before each record's payload: length, CRC32C, sequence, kind, reserved.
    public static let recordHeaderBytes = 20
    /// Largest payload a record may carry (a batch of vectors).
    public static let maxPayloadBytes = 1 << 30

    /// The collection directory the segments live in.
    public let directory: String
    /// When appended records are forced to disk.
    public let policy: FsyncPolicy
    /// Called (on the failing thread) with a sentence for the daemon's log each time a write or sync fails.
    public var onFailure: (@Sendable (String) -> Void)? {
        get { appendLock.withLock { failureHandler } }
        set { appendLock.withLock { failureHandler = newValue } }
    }
    private var failureHandler: (@Sendable (String) -> Void)?
    private var segment: WALSegmentFile?
    /// The segment file records are appended to now.
    public var segmentPath: String { appendLock.withLock { segment?.path ?? "" } }
    /// Bytes of the current segment's header and whole records (its file is
    /// allocated further ahead; the rest reads as zeros).
    public var segmentLength: Int { appendLock.withLock { segment?.length ?? 0 } }
    private let appendLock = Locked<Void>()
    private let syncLock = Locked<Void>()
    private var io = WALFileOperations.system
    private var nextSequence: UInt64
    /// Last sequence written to the OS, and last made durable, with the segment's length after each.
    private var writtenSequence: UInt64
    private var writtenBytes: Int { segment?.length ?? 0 }
    /// The current segment's path, for messages (under appendLock).
    private var currentPath: String { segment?.path ?? directory }
    private var durableSequence: UInt64
    private var durableBytes = 0
    /// Bumped whenever records written but not yet durable are cut away, so a
    /// waiting `always` appender never reports a record that is gone.
    private var tailEpoch: UInt64 = 0
    private var healthState = WALHealth()
    /// The length a failed append must still be cut back to, while ``WALHealth/refusingWrites``.
    private var pendingCut = 0
    private var scratch: [UInt8] = []
    private var closed = false

    /// Opens a new segment in `directory` whose first record will be `nextSequence`.
    public init(directory: String, nextSequence: UInt64, policy: FsyncPolicy) throws {
        self.directory = directory
        self.policy = policy
        self.nextSequence = nextSequence
        self.writtenSequence = nextSequence - 1
        self.durableSequence = nextSequence - 1
        try startSegment(first: nextSequence)
        if policy == .everysec { WALFlusher.shared.register(self) }
    }

    deinit {
        if policy == .everysec { WALFlusher.shared.unregister(self) }
        // Not finished here: a log dropped without ``close()`` is left as a crash leaves it
        // (the allocated zeros in place; the next recovery cuts them).
    }

    /// What has failed so far: counts, the last error, whether appends are refused.
    public var health: WALHealth { appendLock.withLock { healthState } }

    /// The file name of the segment whose first record is `first`: `wal-<20 digits>.log`.
    public static func segmentName(first: UInt64) -> String {
        FileIO.sequencedName(prefix: "wal-", first, suffix: ".log")
    }

    /// The checksum of a record whose 20-byte header (length filled in) and payload start at `record`:
    /// CRC32C of the length field, continued over the sequence, kind, reserved bytes and payload.
    static func recordChecksum(_ record: UnsafeRawPointer, payloadBytes: Int, major: Int) -> UInt32 {
        ld_crc32c(major >= 2 ? ld_crc32c(0, record, 4) : 0, record + 8, 12 + payloadBytes)
    }

    /// Replaces the system calls (tests make them fail part-way).
    func setFileOperations(_ operations: WALFileOperations) { appendLock.withLock { io = operations } }

    private func startSegment(first: UInt64) throws {
        let path = directory + "/" + WriteAheadLog.segmentName(first: first)
        // The current segment holds no record yet and starts there: it already is the new one
        // (opening it again with O_TRUNC would cut the header under the open descriptor).
        if let segment, segment.path == path, segment.length == WriteAheadLog.headerBytes { return }
        var header = [UInt8](repeating: 0, count: WriteAheadLog.headerBytes)
        for i in 0..<8 { header[i] = WriteAheadLog.magic[i] }
        withUnsafeBytes(of: WriteAheadLog.majorVersion.littleEndian) { for i in 0..<2 { header[8 + i] = $0[i] } }
        withUnsafeBytes(of: first.littleEndian) { for i in 0..<8 { header[16 + i] = $0[i] } }
        let crc = header.withUnsafeBytes { ld_crc32c(0, $0.baseAddress, 24) }
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { header[24 + i] = $0[i] } }
        let next: WALSegmentFile
        do {
            next = try WALSegmentFile(path: path, directory: directory, header: header, io: io)
        } catch {
            // A segment without its whole header is no part of the log (a snapshot's rotation on
            // a full disk): take it away, so the log is as it was and `verify` finds no stub.
            if Glibc.unlink(path) != 0 && errno != ENOENT {
                failureHandler?("write-ahead log: the unfinished segment \(path) could not be removed: \(FileIO.errorText())")
            }
            throw error
        }
        finishSegment()
        segment = next
        durableBytes = WriteAheadLog.headerBytes
    }

    /// Cuts the zeros allocated past the current segment's last record (they would read as its end anyway).
    private func finishSegment() {
        guard let segment else { return }
        if let problem = segment.finish() {
            failureHandler?("write-ahead log \(segment.path): the allocated space past the last record could not be cut away (\(problem)); it reads as the end of the segment")
        }
        self.segment = nil
    }

    /// Appends one record and, under `always`, waits until it is on disk.
    ///
    /// - Returns: the record's sequence number.
    /// - Throws: `PersistenceError.io` when the write or sync fails. The record is
    ///   then not in the log — its bytes were cut away — and must be treated as not
    ///   written (not acknowledged); when they could not be cut, the log refuses
    ///   appends (this error says so) until a later append manages to.
    @discardableResult
    public func append(kind: UInt8, payload: UnsafeRawBufferPointer) throws -> UInt64 {
        let (sequence, epoch): (UInt64, UInt64) = try appendLock.withLock {
            guard !closed else { throw PersistenceError.io(path: currentPath, operation: "append to", message: "log is closed") }
            try trimFailedTailIfNeeded()
            let seq = nextSequence
            guard let segment else { throw PersistenceError.io(path: directory, operation: "append to", message: "the log has no open segment") }
            let before = segment.length
            do {
                try segment.append(sequence: seq, kind: kind, payload: payload, scratch: &scratch, io: io)
            } catch {
                recordFailure(error, append: true)
                cutBack(to: before, because: error)
                throw error
            }
            nextSequence += 1
            writtenSequence = seq
            return (seq, tailEpoch)
        }
        if policy == .always { try sync(upTo: sequence, epoch: epoch) }
        return sequence
    }

    /// Appends a record whose payload is in an array.
    @discardableResult
    public func append(kind: UInt8, payload: [UInt8]) throws -> UInt64 {
        try payload.withUnsafeBytes { try append(kind: kind, payload: $0) }
    }

    /// Makes every record up to `sequence` durable. Concurrent callers share one
    /// `fdatasync` (group commit).
    /// - Throws: `PersistenceError.io` when the sync fails (counted in ``health``);
    ///   under `always` the records not yet durable are then cut from the log.
    public func sync(upTo sequence: UInt64) throws {
        try sync(upTo: sequence, epoch: nil)
    }

    private func sync(upTo sequence: UInt64, epoch: UInt64?) throws {
        try syncLock.withLock {
            let (target, bytes, current, currentEpoch, ops) = appendLock.withLock {
                (writtenSequence, writtenBytes, segment, tailEpoch, io)
            }
            guard let current else { return }
            let file = current.fd, path = current.path
            if let epoch, epoch != currentEpoch {
                throw PersistenceError.io(path: path, operation: "fdatasync", message:
                    "an earlier sync failed and the records after the last durable one were cut from the log; this one was not written")
            }
            if durableSequence >= sequence { return }
            do {
                try ops.datasync(file, path)
            } catch {
                appendLock.withLock {
                    recordFailure(error, append: policy == .always)
                    // Under `always` nothing after the last durable record was acknowledged: cut it,
                    // so no record whose append reported this failure comes back after a restart.
                    if policy == .always, current === segment {
                        cutBack(to: durableBytes, because: error)
                        writtenSequence = durableSequence
                        nextSequence = durableSequence + 1
                        tailEpoch &+= 1
                    }
                }
                throw error
            }
            appendLock.withLock {
                if current === segment { durableBytes = max(durableBytes, bytes) }
            }
            durableSequence = max(durableSequence, target)
        }
    }

    /// Syncs everything written so far (the `everysec` tick, and shutdown).
    public func syncAll() throws {
        try sync(upTo: appendLock.withLock { writtenSequence })
    }

    /// Closes the current segment (synced) and starts a new one at the next
    /// sequence; returns the last sequence of the closed segment. Used when a
    /// snapshot is taken: everything up to the returned sequence is in it.
    public func rotate() throws -> UInt64 {
        try syncAll()
        return try appendLock.withLock {
            try trimFailedTailIfNeeded()
            try startSegment(first: nextSequence)
            return nextSequence - 1
        }
    }

    /// Syncs and stops accepting appends.
    public func close() throws {
        try syncAll()
        appendLock.withLock {
            closed = true
            finishSegment()
        }
    }

    // MARK: - Failures (under appendLock)

    /// Counts a failure, keeps its message and tells ``onFailure``.
    private func recordFailure(_ error: Error, append: Bool) {
        if append { healthState.appendFailures &+= 1 }
        if case let PersistenceError.io(_, operation, _) = error, operation.hasPrefix("fdatasync") || operation.hasPrefix("fsync") {
            healthState.syncFailures &+= 1
        }
        healthState.lastError = "\(error)"
        healthState.lastErrorAt = Double(time(nil))
        failureHandler?("write-ahead log \(currentPath): \(error)")
    }

    /// Cuts the segment back to `length` (the end of the last whole, or durable, record);
    /// when that fails too, appends are refused until ``trimFailedTailIfNeeded()`` succeeds.
    private func cutBack(to length: Int, because error: Error) {
        do {
            try segment?.cut(to: length, io: io)
            healthState.refusingWrites = false
        } catch {
            healthState.refusingWrites = true
            pendingCut = length
            healthState.lastError = "\(error)"
            failureHandler?("write-ahead log \(currentPath): could not cut a failed append away (\(error)); refusing writes until it can")
        }
    }

    /// Before an append: when a failed append's bytes are still in the segment, cut them now or refuse.
    private func trimFailedTailIfNeeded() throws {
        guard healthState.refusingWrites else { return }
        do {
            try segment?.cut(to: pendingCut, io: io)
        } catch {
            throw PersistenceError.io(path: currentPath, operation: "append to", message:
                "the log refuses writes: an earlier failed append could not be cut away (\(error)); free space or fix the disk")
        }
        healthState.refusingWrites = false
        failureHandler?("write-ahead log \(currentPath): the failed append was cut away; accepting writes again")
    }
}

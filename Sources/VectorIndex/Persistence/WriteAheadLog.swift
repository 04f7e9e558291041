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
///     record:            u32 payload length | u32 CRC32C of the next 12 + length bytes | u64 sequence | u8 kind | 3 reserved | payload
///
/// A record is appended with one `write` before the change is acknowledged.
/// A snapshot at sequence S starts a new segment; segments wholly at or
/// below the oldest kept snapshot are deleted.
public final class WriteAheadLog: @unchecked Sendable {
    /// A segment's first 8 bytes, `LDXWAL\0\0`.
    public static let magic: [UInt8] = Array("LDXWAL\0\0".utf8)
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
    private var fd: Int32 = -1
    /// The segment file records are appended to now.
    private(set) public var segmentPath: String = ""
    private let appendLock = Locked<Void>()
    private let syncLock = Locked<Void>()
    private var nextSequence: UInt64
    /// Last sequence written to the OS, and last made durable.
    private var writtenSequence: UInt64
    private var durableSequence: UInt64
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
        if fd >= 0 { Glibc.close(fd) }
    }

    /// The file name of the segment whose first record is `first`: `wal-<20 digits>.log`.
    public static func segmentName(first: UInt64) -> String {
        FileIO.sequencedName(prefix: "wal-", first, suffix: ".log")
    }

    private func startSegment(first: UInt64) throws {
        let path = directory + "/" + WriteAheadLog.segmentName(first: first)
        let newFD = try FileIO.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        var header = [UInt8](repeating: 0, count: WriteAheadLog.headerBytes)
        for i in 0..<8 { header[i] = WriteAheadLog.magic[i] }
        header[8] = 1  // major
        withUnsafeBytes(of: first.littleEndian) { for i in 0..<8 { header[16 + i] = $0[i] } }
        let crc = header.withUnsafeBytes { ld_crc32c(0, $0.baseAddress, 24) }
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { header[24 + i] = $0[i] } }
        do {
            try header.withUnsafeBytes { try FileIO.writeAll(newFD, $0, path: path) }
            try FileIO.fsync(newFD, path: path)
            try FileIO.fsyncDirectory(directory)
        } catch {
            Glibc.close(newFD)
            throw error
        }
        if fd >= 0 { Glibc.close(fd) }
        fd = newFD
        segmentPath = path
    }

    /// Appends one record and, under `always`, waits until it is on disk.
    ///
    /// - Returns: the record's sequence number.
    /// - Throws: `PersistenceError.io` when the write or sync fails; the record
    ///   must then be treated as not written (not acknowledged).
    @discardableResult
    public func append(kind: UInt8, payload: UnsafeRawBufferPointer) throws -> UInt64 {
        let sequence: UInt64 = try appendLock.withLock {
            guard !closed else { throw PersistenceError.io(path: segmentPath, operation: "append to", message: "log is closed") }
            let seq = nextSequence
            let total = WriteAheadLog.recordHeaderBytes + payload.count
            if scratch.count < total { scratch = [UInt8](repeating: 0, count: max(total, scratch.count * 2)) }
            try scratch.withUnsafeMutableBytes { buf in
                let p = buf.baseAddress!
                p.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 0, as: UInt32.self)
                p.storeBytes(of: seq.littleEndian, toByteOffset: 8, as: UInt64.self)
                p.storeBytes(of: kind, toByteOffset: 16, as: UInt8.self)
                p.storeBytes(of: UInt8(0), toByteOffset: 17, as: UInt8.self)
                p.storeBytes(of: UInt16(0), toByteOffset: 18, as: UInt16.self)
                if payload.count > 0 { (p + 20).copyMemory(from: payload.baseAddress!, byteCount: payload.count) }
                let crc = ld_crc32c(0, p + 8, 12 + payload.count)
                p.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
                try FileIO.writeAll(fd, UnsafeRawBufferPointer(start: p, count: total), path: segmentPath)
            }
            nextSequence += 1
            writtenSequence = seq
            return seq
        }
        if policy == .always { try sync(upTo: sequence) }
        return sequence
    }

    /// Appends a record whose payload is in an array.
    @discardableResult
    public func append(kind: UInt8, payload: [UInt8]) throws -> UInt64 {
        try payload.withUnsafeBytes { try append(kind: kind, payload: $0) }
    }

    /// Makes every record up to `sequence` durable. Concurrent callers share one
    /// `fdatasync` (group commit).
    public func sync(upTo sequence: UInt64) throws {
        try syncLock.withLock {
            if durableSequence >= sequence { return }
            let (target, file, path) = appendLock.withLock { (writtenSequence, fd, segmentPath) }
            try FileIO.fdatasync(file, path: path)
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
            try startSegment(first: nextSequence)
            return nextSequence - 1
        }
    }

    /// Syncs and stops accepting appends.
    public func close() throws {
        try syncAll()
        appendLock.withLock { closed = true }
    }
}

/// The `everysec` background thread: syncs every registered log once a second.
final class WALFlusher: @unchecked Sendable {
    static let shared = WALFlusher()
    private let lock = Locked<Void>()
    private var logs: [ObjectIdentifier: WeakLog] = [:]
    private var started = false

    private struct WeakLog { weak var log: WriteAheadLog? }

    func register(_ log: WriteAheadLog) {
        lock.withLock {
            logs[ObjectIdentifier(log)] = WeakLog(log: log)
            if !started {
                started = true
                let thread = Thread { [unowned self] in self.run() }
                thread.name = "wal-everysec"
                thread.start()
            }
        }
    }

    func unregister(_ log: WriteAheadLog) {
        lock.withLock { _ = logs.removeValue(forKey: ObjectIdentifier(log)) }
    }

    private func run() {
        while true {
            sleep(1)
            let current = lock.withLock { logs.values.compactMap(\.log) }
            for log in current { try? log.syncAll() }
        }
    }
}

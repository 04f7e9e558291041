import CSupport
import Primitives

/// The segment file a write-ahead log appends to now: allocated on disk ahead
/// of its records and written through a shared mapping.
///
/// Appending with `write(2)` at the end of a file costs a few microseconds
/// per record on ext4 however short it is: the file's size and times change
/// in the journal, and a new page-cache page is reserved. A segment instead
/// holds ``allocated`` bytes on disk (`posix_fallocate`, ahead of the records
/// in growing steps) and its records are copied into a `MAP_SHARED` window
/// over the file — page-cache memory, so a record copied there survives a
/// process crash as a written one does, and `fdatasync` makes it durable as
/// it would a written one. Because the blocks are allocated before a record
/// is copied, a full disk is an error of the allocation (nothing copied,
/// nothing to undo), never a fault on a page.
///
/// The file's bytes past ``length`` read as zeros. A reader takes an all-zero
/// remainder after a whole record as the segment's end (`WALReader`), and
/// ``finish()`` cuts it away when the log moves to the next segment.
///
/// When the mapping cannot be made, or ``WALFileOperations/maps`` is false,
/// records are written with `pwrite(2)` at ``length`` instead; the file and
/// what a reader sees are the same.
final class WALSegmentFile {
    /// The segment's path, for messages.
    let path: String
    /// The open descriptor (read-write: the mapping writes through it).
    let fd: Int32
    /// Bytes of the header and the whole records after it: where the next record goes.
    private(set) var length: Int
    /// Bytes of the file allocated on disk: ``length`` ≤ `allocated`; the rest reads as zeros.
    private(set) var allocated: Int
    /// The window over the file from offset 0, ``windowBytes`` long (nil: records are written with `pwrite`).
    private var window: UnsafeMutableRawPointer?
    /// Bytes of the window whose pages are faulted in writable ahead of the records
    /// (`MADV_POPULATE_WRITE`), so a record's copy does not stop for a page fault.
    private var populated = 0
    /// False once the kernel refused to populate (older than Linux 5.14): records then fault pages in.
    private var populates = true

    /// Address space mapped per segment; records past it are written with `pwrite`.
    static let windowBytes = 1 << 30
    /// The first allocation step; each next step is the segment's size so far, up to ``largestStep``.
    static let smallestStep = 1 << 20
    /// The largest allocation step (a segment wastes at most this much before ``finish()``).
    static let largestStep = 16 << 20
    /// Pages faulted in at a time ahead of the records: one call per 128 KiB instead of a
    /// fault per 4 KiB on some append's path (a fault costs about as much as the copy of three records).
    static let populateBytes = 128 << 10

    /// Creates the file, truncating any old one, writes and syncs `header`, and
    /// syncs the directory, so the segment exists after a crash.
    init(path: String, directory: String, header: [UInt8], io: WALFileOperations) throws {
        let fd = try FileIO.open(path, O_RDWR | O_CREAT | O_TRUNC)
        do {
            try header.withUnsafeBytes { try io.write(fd, $0, 0, path) }
            try FileIO.fsync(fd, path: path)
            try FileIO.fsyncDirectory(directory)
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.path = path
        self.fd = fd
        length = header.count
        allocated = header.count
        if let p = mmap(nil, Self.windowBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED {
            window = p
        }
    }

    deinit {
        if let window { munmap(window, Self.windowBytes) }
        Glibc.close(fd)
    }

    /// Appends one record (header fields, then the payload, then its checksum) at ``length``.
    ///
    /// The disk blocks are allocated first, so on a full disk nothing is
    /// written and the error says so. A failed `pwrite` may leave part of the
    /// record behind: the caller cuts it away (``cut(to:)``).
    func append(sequence: UInt64, kind: UInt8, payload: UnsafeRawBufferPointer, scratch: inout [UInt8],
                io: WALFileOperations) throws {
        let total = WriteAheadLog.recordHeaderBytes + payload.count
        let end = length + total
        try reserve(upTo: end, io: io)
        if io.maps, let window, end <= Self.windowBytes {
            Self.encode(into: window + length, sequence: sequence, kind: kind, payload: payload)
            if end + Self.populateBytes / 2 > populated { populate(window, after: end) }
        } else {
            if scratch.count < total { scratch = [UInt8](repeating: 0, count: max(total, scratch.count * 2)) }
            try scratch.withUnsafeMutableBytes { buffer in
                Self.encode(into: buffer.baseAddress!, sequence: sequence, kind: kind, payload: payload)
                try io.write(fd, UnsafeRawBufferPointer(start: buffer.baseAddress!, count: total), length, path)
            }
        }
        length = end
    }

    /// Cuts the file back to `newLength` bytes (synced): a failed append's bytes,
    /// or records a failed sync did not make durable. The next append allocates again.
    func cut(to newLength: Int, io: WALFileOperations) throws {
        try io.truncate(fd, newLength, path)
        length = newLength
        allocated = newLength
        populated = min(populated, newLength)
    }

    /// Cuts the zeros past the last record away before the log moves on, so a
    /// finished segment is as long as its records. Not synced: a reader takes
    /// the zeros, should they come back after a crash, for the segment's end.
    /// - Returns: the error's text when the file could not be cut (it stays valid).
    func finish() -> String? {
        guard allocated > length else { return nil }
        if ftruncate(fd, off_t(length)) != 0 { return FileIO.errorText() }
        allocated = length
        populated = min(populated, length)
        return nil
    }

    /// Faults in the next pages of the window, up to ``populateBytes`` past `end` and
    /// no further than the allocated blocks (a page past the file's end cannot be mapped).
    private func populate(_ window: UnsafeMutableRawPointer, after end: Int) {
        guard populates else { return }
        let page = MemoryRegion.pageSize
        let from = max(populated, end / page * page)
        let to = min(allocated / page * page, min(Self.windowBytes, (end + Self.populateBytes) / page * page))
        guard to > from else { return }
        if madvise(window + from, to - from, 23 /* MADV_POPULATE_WRITE */) != 0 {
            populates = false
            return
        }
        populated = to
    }

    /// Makes sure the file's blocks cover `end` bytes: allocates the next step,
    /// or on a full disk just what this record needs.
    private func reserve(upTo end: Int, io: WALFileOperations) throws {
        guard end > allocated else { return }
        let step = min(Self.largestStep, max(Self.smallestStep, allocated))
        let generous = (end + step + Self.smallestStep - 1) / Self.smallestStep * Self.smallestStep
        do {
            try io.allocate(fd, allocated, generous - allocated, path)
            allocated = generous
        } catch {
            // Nearly full: take only what this record needs; when even that fails, its error is the answer.
            try io.allocate(fd, allocated, end - allocated, path)
            allocated = end
        }
    }

    /// Writes a record at `p`: u32 payload length | u32 CRC32C | u64 sequence | u8 kind | 3 zero bytes | payload.
    private static func encode(into p: UnsafeMutableRawPointer, sequence: UInt64, kind: UInt8, payload: UnsafeRawBufferPointer) {
        p.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 0, as: UInt32.self)
        p.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: kind, toByteOffset: 16, as: UInt8.self)
        p.storeBytes(of: UInt8(0), toByteOffset: 17, as: UInt8.self)
        p.storeBytes(of: UInt16(0), toByteOffset: 18, as: UInt16.self)
        if payload.count > 0 { (p + 20).copyMemory(from: payload.baseAddress!, byteCount: payload.count) }
        let crc = WriteAheadLog.recordChecksum(p, payloadBytes: payload.count, major: Int(WriteAheadLog.majorVersion))
        p.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
    }
}

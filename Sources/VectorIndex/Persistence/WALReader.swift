import CSupport
import Primitives

/// What replaying (or verifying) a log found.
public struct WALReplayReport: Sendable, Equatable {
    /// Segment files read.
    public var segments: Int = 0
    /// Records applied (above the snapshot's sequence).
    public var records: Int = 0
    /// Records at or below the snapshot's sequence, skipped.
    public var skipped: Int = 0
    /// The last record's sequence, applied or skipped; 0 for an empty log.
    public var lastSequence: UInt64 = 0
    /// A torn last record (a crash mid-append): where it started and why it was
    /// rejected. Recovery truncates it (it was never acknowledged) and the caller logs it.
    public var tornTail: (path: String, offset: Int, reason: String)?

    /// Equal counts, last sequence and torn-tail position (the reason text is not compared).
    public static func == (a: WALReplayReport, b: WALReplayReport) -> Bool {
        a.segments == b.segments && a.records == b.records && a.skipped == b.skipped && a.lastSequence == b.lastSequence
            && a.tornTail?.path == b.tornTail?.path && a.tornTail?.offset == b.tornTail?.offset
    }
}

/// Reads write-ahead-log segments back: replay on start, and `verify`.
public enum WALReader {
    /// The segments in `directory`, oldest first, with their first sequence.
    public static func segments(in directory: String) -> [(first: UInt64, path: String)] {
        FileIO.sequencedFiles(in: directory, prefix: "wal-", suffix: ".log").map { (first: $0.sequence, path: $0.path) }
    }

    /// Replays every record with a sequence above `after`, oldest first.
    ///
    /// - Parameters:
    ///   - directory: the collection directory holding the segments.
    ///   - after: the sequence the loaded snapshot includes; records up to it are skipped.
    ///   - repair: truncate a torn last record of the last segment (recovery);
    ///     false only reports it (`verify`).
    ///   - only: restrict to this one segment file (`verify` of a single file).
    ///   - apply: called with each record above `after`, in order.
    /// - Throws: `PersistenceError.corrupt` naming the file and offset of a
    ///   damaged record anywhere but at the very end of the log.
    public static func replay(
        directory: String, after: UInt64, repair: Bool, only: String? = nil, _ apply: (WALRecord) throws -> Void
    ) throws -> WALReplayReport {
        var report = WALReplayReport()
        let all = segments(in: directory)
        var expected: UInt64? = nil
        for (i, segment) in all.enumerated() {
            if let only, asPath(segment.path).lastComponent != asPath(only).lastComponent { continue }
            report.segments += 1
            let isLast = i == all.count - 1
            var skipped = 0, applied = 0
            var last = report.lastSequence
            try readSegment(segment.path, first: segment.first, isLast: isLast, repair: repair,
                            expected: &expected, report: &report) { record in
                if record.sequence <= after {
                    skipped += 1
                } else {
                    try apply(record)
                    applied += 1
                }
                last = record.sequence
            }
            report.skipped += skipped
            report.records += applied
            report.lastSequence = last
        }
        return report
    }

    /// Checks one segment file whatever it is called (a copy named `backup.bin` too):
    /// the header — magic, version, checksum — and every record, reading the first
    /// sequence from the header. Nothing is changed; a torn last record is reported.
    /// - Returns: the records found (``WALReplayReport/records``) and the last sequence.
    /// - Throws: ``PersistenceError/notASnapshot(path:reason:)`` for a file that is not a
    ///   log segment, and the errors of a damaged one.
    public static func verifySegment(path: String) throws -> WALReplayReport {
        // A file on its own must at least hold a header; only recovery, which knows
        // the segment is the newest, may take a torn header for a crash mid-rotation.
        let fd = try FileIO.open(path, O_RDONLY)
        let size: Int
        do { size = try FileIO.fileSize(fd, path: path) } catch { close(fd); throw error }
        close(fd)
        guard size >= WriteAheadLog.headerBytes else {
            throw PersistenceError.truncated(path: path, expectedBytes: WriteAheadLog.headerBytes, actualBytes: size)
        }
        var report = WALReplayReport()
        report.segments = 1
        var expected: UInt64? = nil
        var count = 0, last: UInt64 = 0
        try readSegment(path, first: nil, isLast: true, repair: false, expected: &expected, report: &report) { record in
            count += 1
            last = record.sequence
        }
        report.records = count
        report.lastSequence = last
        return report
    }

    /// Reads one segment whole and hands `body` its records; a segment too
    /// short for its header is a torn tail if it is the newest, else truncated.
    private static func readSegment(
        _ path: String, first: UInt64?, isLast: Bool, repair: Bool, expected: inout UInt64?,
        report: inout WALReplayReport, _ body: (WALRecord) throws -> Void
    ) throws {
        let fd = try FileIO.open(path, repair ? O_RDWR : O_RDONLY)
        defer { close(fd) }
        let size = try FileIO.fileSize(fd, path: path)
        var data = [UInt8](repeating: 0, count: size)
        if size > 0 {
            try data.withUnsafeMutableBytes { try FileIO.preadAll(fd, into: $0.baseAddress!, count: size, offset: 0, path: path) }
        }
        let h = WriteAheadLog.headerBytes
        // A segment whose header itself is torn can only be the newest, created by a crash mid-rotation.
        guard size >= h else {
            if isLast {
                report.tornTail = (path, 0, "segment header is \(size) of \(h) bytes")
                if repair { try truncate(fd, path: path, at: 0, reason: "torn segment header") }
                return
            }
            throw PersistenceError.truncated(path: path, expectedBytes: h, actualBytes: size)
        }
        try data.withUnsafeBytes { raw in
            let major = try checkSegmentHeader(raw, path: path, first: first)
            let format = SegmentFormat(path: path, first: first ?? headerFirstSequence(raw), major: major)
            try readRecords(raw, fd: fd, format: format, isLast: isLast, repair: repair,
                            expected: &expected, report: &report, body)
        }
    }

    /// Magic, major version, header checksum and first sequence of a segment
    /// at least `WriteAheadLog.headerBytes` long.
    /// - Returns: the segment's major version (its records' checksum scope depends on it).
    private static func checkSegmentHeader(_ raw: UnsafeRawBufferPointer, path: String, first: UInt64?) throws -> Int {
        let p = raw.baseAddress!
        guard (0..<8).allSatisfy({ raw[$0] == WriteAheadLog.magic[$0] }) else {
            throw PersistenceError.notASnapshot(path: path, reason: "not a write-ahead-log segment (bad magic)")
        }
        let major = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        let supported = Int(WriteAheadLog.majorVersion)
        guard (1...supported).contains(major) else {
            throw PersistenceError.unsupportedVersion(path: path, found: major, supported: supported)
        }
        let crc = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        guard crc == ld_crc32c(0, p, 24) else {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "segment header checksum mismatch")
        }
        let headerFirst = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        if let first, headerFirst != first {
            throw PersistenceError.corrupt(path: path, offset: 16, reason: "header says first sequence \(headerFirst), name says \(first)")
        }
        return major
    }

    /// The first sequence a segment's header names (checked header), for a file whose name says nothing.
    static func headerFirstSequence(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: raw.baseAddress!.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }

    /// Checks and hands `body` each record after the segment header, in order.
    /// A damaged record at the very end of the last segment is a torn tail
    /// (reported, and truncated when repairing); anywhere else it is corruption.
    private static func readRecords(
        _ raw: UnsafeRawBufferPointer, fd: Int32, format: SegmentFormat, isLast: Bool, repair: Bool,
        expected: inout UInt64?, report: inout WALReplayReport, _ body: (WALRecord) throws -> Void
    ) throws {
        let path = format.path, first = format.first
        let p = raw.baseAddress!
        let size = raw.count
        var offset = WriteAheadLog.headerBytes
        while offset < size {
            let remaining = size - offset
            // The zeros a segment is allocated ahead with (``WALSegmentFile``): the segment ends here.
            if isZero(p, from: offset, to: size) {
                if repair { try truncate(fd, path: path, at: offset, reason: "allocated space past the last record") }
                return
            }
            func torn(_ reason: String) throws {
                guard isLast else { throw PersistenceError.corrupt(path: path, offset: offset, reason: reason) }
                report.tornTail = (path, offset, reason)
                if repair { try truncate(fd, path: path, at: offset, reason: reason) }
            }
            if remaining < WriteAheadLog.recordHeaderBytes {
                try torn("record header is \(remaining) of \(WriteAheadLog.recordHeaderBytes) bytes")
                return
            }
            let length = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            let stored = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let end = offset + WriteAheadLog.recordHeaderBytes + length
            if length > WriteAheadLog.maxPayloadBytes || end > size {
                try torn("record of \(length) bytes runs past the end of the file")
                return
            }
            let actual = WriteAheadLog.recordChecksum(p + offset, payloadBytes: length, major: format.major)
            if actual != stored {
                // Damage in the last record of the log is a torn write; anywhere else it is corruption.
                // In the last segment, a whole page of zeros where this record lies (or starts the page
                // after it) is the never-synced rest of an allocated segment after a machine crash:
                // its pages reach the disk in any order, so later ones may hold records.
                let page = holePageBytes
                let near = min(size, (end + page - 1) / page * page + page)
                if end == size || isZero(p, from: end, to: size)
                    || (isLast && hasZeroPage(p, from: offset / page * page, to: near)) {
                    try torn("record checksum mismatch in the last record")
                    return
                }
                throw PersistenceError.corrupt(path: path, offset: offset,
                                               reason: "record checksum \(hex(actual)) != stored \(hex(stored)); more records follow")
            }
            let seq = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            let want = expected ?? first
            guard seq == want else {
                throw PersistenceError.corrupt(path: path, offset: offset, reason: "sequence \(seq), expected \(want)")
            }
            expected = seq + 1
            let kind = p.load(fromByteOffset: offset + 16, as: UInt8.self)
            let payload = Array(raw[(offset + WriteAheadLog.recordHeaderBytes)..<end])
            try body(WALRecord(sequence: seq, kind: kind, payload: payload))
            offset = end
        }
    }

    /// Whether every byte in `from..<to` is zero.
    static func isZero(_ p: UnsafeRawPointer, from: Int, to: Int) -> Bool {
        var i = from
        while i < to && i % 8 != 0 {
            if p.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
            i += 1
        }
        while i + 8 <= to {
            if p.load(fromByteOffset: i, as: UInt64.self) != 0 { return false }
            i += 8
        }
        while i < to {
            if p.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
            i += 1
        }
        return true
    }

    /// The unit in which a machine crash leaves never-synced parts of a segment as zeros:
    /// the page cache's 4 KiB pages (FORMAT.md, "Recovery").
    static let holePageBytes = 4096

    /// Whether `from..<to` holds a whole ``holePageBytes`` page (at a file offset that is a multiple of it) of zeros.
    static func hasZeroPage(_ p: UnsafeRawPointer, from: Int, to: Int) -> Bool {
        let page = holePageBytes
        var start = (from + page - 1) / page * page
        while start + page <= to {
            if isZero(p, from: start, to: start + page) { return true }
            start += page
        }
        return false
    }

    private static func truncate(_ fd: Int32, path: String, at offset: Int, reason: String) throws {
        try FileIO.truncate(fd, to: offset, path: path)
    }

    /// What a segment's header says about reading its records.
    private struct SegmentFormat {
        var path: String
        var first: UInt64
        var major: Int
    }
}

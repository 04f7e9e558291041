import CSupport
import Primitives

/// A snapshot being written by a forked child process (`CSupport/snapshot_child.c`).
///
/// ``HNSWIndex/startSnapshot(collection:path:context:)`` forks while it holds
/// the index's writer lock, so the child's copy-on-write view of memory is the
/// index at one instant; writers resume as soon as the fork returns, and the
/// kernel copies only the pages they change afterwards. The child streams the
/// sections from that view straight into `path.tmp` and checksums them as it
/// goes; ``finish()`` then writes the sealed header page, fsyncs, renames and
/// fsyncs the directory. No copy of the index is made in this process.
public final class SnapshotInProgress: @unchecked Sendable {
    /// The header as captured; section checksums are filled in by ``finish()``.
    public private(set) var info: SnapshotInfo
    /// The final path, and the temporary file the child writes.
    public let path: String
    private let temporaryPath: String
    private var header: [UInt8]
    private var fd: Int32
    private var child: pid_t
    private var report: Int32
    private var finished = false
    /// The sections encoded after the pause: their index in the section table and their encoder.
    private let late: [(index: Int, encode: @Sendable () -> [UInt8])]
    /// Where the sections the child writes end (the late ones follow).
    private let childBytes: Int
    /// The child writes and checksums in pieces of this size: a piece is still in cache when its checksum is computed.
    static let chunkBytes = 1 << 20

    init(info: SnapshotInfo, path: String, temporaryPath: String, header: [UInt8], fd: Int32, child: pid_t, report: Int32,
         late: [(index: Int, encode: @Sendable () -> [UInt8])], childBytes: Int) {
        self.info = info
        self.path = path
        self.temporaryPath = temporaryPath
        self.header = header
        self.fd = fd
        self.child = child
        self.report = report
        self.late = late
        self.childBytes = childBytes
    }

    /// An unfinished snapshot is abandoned: the child is killed and reaped, the temporary file removed.
    deinit {
        if !finished {
            kill(child, SIGKILL)
            _ = reap()
            cleanUp()
        }
    }

    /// Size of the whole file, header page included (known once ``finish()``
    /// has placed the sections encoded after the pause; before, the part the child writes).
    public var byteCount: Int { info.fileBytes }

    /// The writer process, until it has been reaped (-1 after); for tests.
    var childPID: pid_t { child }

    /// Encodes the sections left for after the pause (while the child
    /// writes), waits for the child, writes those sections after the child's,
    /// then makes the file durable under its final name.
    /// - Returns: the header as written, with every checksum.
    /// - Throws: ``PersistenceError/io(path:operation:message:)`` naming the
    ///   temporary file when the child's write failed (a full disk, say) or the
    ///   child died; the temporary file is removed and the last good snapshot stays.
    @discardableResult
    public func finish() throws -> SnapshotInfo {
        precondition(!finished, "a snapshot is finished once")
        finished = true
        do {
            let encoded = late.map { $0.encode() }
            let crcs = try readChildReport()
            for (i, crc) in crcs.enumerated() { setChecksum(crc, ofSection: i) }
            try writeLateSections(encoded)
            try header.withUnsafeMutableBytes { page in
                let headerCRC = ld_crc32c(0, page.baseAddress!, SnapshotFormat.Field.headerCRC)
                page.storeBytes(of: headerCRC.littleEndian, toByteOffset: SnapshotFormat.Field.headerCRC, as: UInt32.self)
                try FileIO.pwriteAll(fd, UnsafeRawBufferPointer(page), offset: 0, path: temporaryPath)
            }
            try FileIO.fsync(fd, path: temporaryPath)
        } catch {
            cleanUp()
            throw error
        }
        Glibc.close(fd)
        fd = -1
        try FileIO.rename(temporaryPath, path)
        let dir = asPath(path).deletingLastComponent
        try FileIO.fsyncDirectory(dir.isEmpty ? "." : dir)
        info.path = path
        return info
    }

    private func setChecksum(_ crc: UInt32, ofSection i: Int) {
        let entry = SnapshotFormat.sectionEntry(i) + SnapshotFormat.sectionCRCInEntry
        header.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: entry, as: UInt32.self) }
        info.sections[i].crc = crc
    }

    /// Writes the sections encoded after the pause, each on a page boundary
    /// after the child's, and records where they are; the file then ends where the last one ends.
    private func writeLateSections(_ encoded: [[UInt8]]) throws {
        guard !late.isEmpty else { return }
        var end = childBytes
        for (section, bytes) in zip(late, encoded) {
            let offset = SnapshotFormat.align(end)
            try bytes.withUnsafeBytes { try FileIO.pwriteAll(fd, $0, offset: offset, path: temporaryPath) }
            header.withUnsafeMutableBytes {
                SnapshotFormat.storePlacement($0.baseAddress!, section: section.index, offset: offset, length: bytes.count)
            }
            info.sections[section.index].offset = offset
            info.sections[section.index].length = bytes.count
            setChecksum(bytes.withUnsafeBytes { ld_crc32c(0, $0.baseAddress, $0.count) }, ofSection: section.index)
            end = offset + bytes.count
        }
        // An empty last section ends past the bytes written: the size says where it ends.
        if ftruncate(fd, off_t(end)) != 0 {
            throw PersistenceError.io(path: temporaryPath, operation: "truncate", message: FileIO.errorText())
        }
        info.fileBytes = end
    }

    /// Reads the child's status and the checksums of the sections it wrote, then reaps it.
    private func readChildReport() throws -> [UInt32] {
        let count = info.sections.count - late.count
        var bytes = [UInt8](repeating: 0, count: MemoryLayout<ld_snapshot_child_status>.size + 4 * count)
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(report, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        let exit = reap()
        let status = bytes.withUnsafeBytes { $0.loadUnaligned(as: ld_snapshot_child_status.self) }
        let statusBytes = MemoryLayout<ld_snapshot_child_status>.size
        if got >= statusBytes && status.error != 0 {
            let what = Int(status.failed_span) < count ? "write (section \(info.sections[Int(status.failed_span)].name))" : "truncate"
            throw PersistenceError.io(path: temporaryPath, operation: what,
                                      message: String(cString: strerror(status.error)))
        }
        guard got == bytes.count, exit == .exited(0) else {
            throw PersistenceError.io(path: temporaryPath, operation: "write", message: "the snapshot writer process \(exit.description)")
        }
        return (0..<count).map { i in
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: statusBytes + 4 * i, as: UInt32.self) }
        }
    }

    /// How the child ended: 0 for a clean exit.
    private enum ChildExit: Equatable, CustomStringConvertible {
        case exited(Int32), signalled(Int32), unknown(Int32)
        var description: String {
            switch self {
            case let .exited(code): return "exited with status \(code)"
            case let .signalled(signal): return "was killed by signal \(signal)"
            case let .unknown(error): return "could not be waited for (\(String(cString: strerror(error))))"
            }
        }
    }

    /// Waits for the child (once) and closes the report pipe.
    private func reap() -> ChildExit {
        if report >= 0 {
            Glibc.close(report)
            report = -1
        }
        guard child > 0 else { return .exited(0) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            if errno != EINTR { child = -1; return .unknown(errno) }
        }
        child = -1
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    private func cleanUp() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        unlink(temporaryPath)
    }
}

extension HNSWIndex {
    /// Starts writing a consistent point-in-time snapshot of the index to `path`.
    ///
    /// Holds the writer lock only to lay out the header and fork the writer
    /// process (`SnapshotInProgress`); searches never wait. Call
    /// ``SnapshotInProgress/finish()`` to wait for the file and make it durable.
    ///
    /// - Parameters:
    ///   - collection: the name stored in the header (for `restore`).
    ///   - path: the file to write, given the WAL position `context` returned.
    ///   - context: called while the writer lock is held, so what it returns
    ///     (the WAL position the snapshot includes, the ranker's state) belongs
    ///     to the same point in time.
    /// - Throws: what `context` throws, or ``PersistenceError/io(path:operation:message:)``
    ///   when the temporary file cannot be created or the fork fails.
    public func startSnapshot(
        collection: String, path: (_ walSequence: UInt64) -> String,
        context: () throws -> (walSequence: UInt64, extras: [ExtraSection]) = { (0, []) }
    ) throws -> SnapshotInProgress {
        try writer.withLock {
            let (walSequence, extras) = try context()
            return try structure.withShared {
                try forkWriterLocked(collection: collection, path: path(walSequence), walSequence: walSequence, extras: extras)
            }
        }
    }

    /// Writes a snapshot to `path` and makes it durable: ``startSnapshot(collection:path:context:)``
    /// then ``SnapshotInProgress/finish()``, for callers that hold no lock of their own across the fork.
    @discardableResult
    public func writeSnapshot(
        collection: String, to path: String,
        context: () throws -> (walSequence: UInt64, extras: [ExtraSection]) = { (0, []) }
    ) throws -> SnapshotInfo {
        try startSnapshot(collection: collection, path: { _ in path }, context: context).finish()
    }

    private func forkWriterLocked(collection: String, path: String, walSequence: UInt64,
                                  extras: [ExtraSection]) throws -> SnapshotInProgress {
        let g = graph
        let n = Int(g.slotCount)
        let (names, live, dead, free) = bookkeepingLock.withLock { (tagNames, slotOfID.count, tombstones.count, g.freeSlots) }
        let lateExtras = extras.filter { $0.encodeAfterPause != nil }
        let childParts = sectionParts(tagNames: names, freeSlots: free, extras: extras.filter { $0.encodeAfterPause == nil })

        // Sections start on page boundaries; the file ends where the last section ends,
        // so cutting any byte off the end is detectable. The child writes every section but
        // those encoded after the pause, which `finish` writes after them (offsets 0 until then).
        var total = SnapshotFormat.headerBytes
        var offsets: [Int] = []
        for p in childParts {
            let start = SnapshotFormat.align(total)
            offsets.append(start)
            total = start + p.4
        }
        let parts = childParts + lateExtras.map { ($0.type, SnapshotFormat.optionalFlag, nil, nil, 0) }
        offsets += lateExtras.map { _ in 0 }
        let entry = UnsafeAtomicLoad.acquire(g.entryWord)

        // Header fields; checksums are filled in by `finish` from the child's report.
        var header = [UInt8](repeating: 0, count: SnapshotFormat.headerBytes)
        let (millis, sections) = header.withUnsafeMutableBytes { page in
            let h = page.baseAddress!
            let millis = storeHeaderFields(h, collection: collection, slotCount: n, liveCount: live, deletedCount: dead,
                                           entry: entry, walSequence: walSequence, sectionCount: parts.count)
            return (millis, Self.storeSectionTable(h, parts: parts, offsets: offsets))
        }
        let info = SnapshotInfo(
            path: "", majorVersion: Int(SnapshotFormat.majorVersion), minorVersion: Int(SnapshotFormat.minorVersion),
            collection: collection, parameters: parameters, slotCount: n, liveCount: live, deletedCount: dead,
            entry: entry, walSequence: walSequence, createdMillis: millis, fileBytes: total, sections: sections)

        let tmp = path + ".tmp"
        let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_TRUNC)
        var report: Int32 = -1
        let child: pid_t = withSourcePointers(childParts[...], pinned: []) { sources in
            let spans = childParts.indices.map { i in
                ld_snapshot_span(data: childParts[i].4 > 0 ? sources[i] : nil, length: UInt64(childParts[i].4), offset: UInt64(offsets[i]))
            }
            return ld_snapshot_fork_writer(fd, spans, spans.count, UInt64(total), SnapshotInProgress.chunkBytes, &report)
        }
        if child < 0 {
            let message = FileIO.errorText()
            Glibc.close(fd)
            unlink(tmp)
            throw PersistenceError.io(path: tmp, operation: "fork the snapshot writer", message: message)
        }
        let late = lateExtras.enumerated().map { (index: childParts.count + $0.offset, encode: $0.element.encodeAfterPause!) }
        return SnapshotInProgress(info: info, path: path, temporaryPath: tmp, header: header, fd: fd, child: child, report: report,
                                  late: late, childBytes: total)
    }

    /// Calls `body` with every part's bytes in memory, in order: the index's
    /// regions as they are, the encoded sections' arrays pinned in place all at
    /// once (one nested `withUnsafeBytes` each), so the fork copies nothing.
    private func withSourcePointers<R>(_ parts: ArraySlice<SectionPart>, pinned: [UnsafeRawPointer?],
                                       _ body: ([UnsafeRawPointer?]) -> R) -> R {
        guard let part = parts.first else { return body(pinned) }
        guard let bytes = part.3 else { return withSourcePointers(parts.dropFirst(), pinned: pinned + [part.2], body) }
        return bytes.withUnsafeBytes { withSourcePointers(parts.dropFirst(), pinned: pinned + [$0.baseAddress], body) }
    }

    /// The sections of the file, in order: the graph's regions (written from
    /// in place) and the small encoded sections, then the callers' extras.
    private func sectionParts(tagNames names: [String], freeSlots free: [UInt32], extras: [ExtraSection]) -> [SectionPart] {
        let g = graph
        let n = Int(g.slotCount)
        var tagNameBytes: [UInt8] = []
        appendU32(&tagNameBytes, UInt32(names.count))
        for name in names {
            let utf8 = Array(name.utf8)
            appendU32(&tagNameBytes, UInt32(utf8.count))
            tagNameBytes += utf8
        }
        var quantizerBytes: [UInt8] = []
        if let q = g.quantizer {
            q.low.withUnsafeBytes { quantizerBytes += $0 }
            q.step.withUnsafeBytes { quantizerBytes += $0 }
        }
        var freeBytes: [UInt8] = []
        appendU32(&freeBytes, UInt32(free.count))
        for s in free { appendU32(&freeBytes, s) }

        var parts: [SectionPart] = [
            (.nodes, 0, UnsafeRawPointer(g.nodes.base), nil, n * g.layout.stride),
            (.metas, 0, UnsafeRawPointer(g.metas.base), nil, n * MemoryLayout<NodeMeta>.stride),
        ]
        if let full = g.full { parts.append((.fullVectors, 0, UnsafeRawPointer(full.base), nil, n * g.layout.dimension * 4)) }
        parts.append((.upperLinks, 0, UnsafeRawPointer(g.upperArena.region.base), nil, g.upperArena.bytes))
        parts.append((.tagLists, 0, UnsafeRawPointer(g.tagArena.region.base), nil, g.tagArena.bytes))
        parts.append((.tagNames, 0, nil, tagNameBytes, tagNameBytes.count))
        if !quantizerBytes.isEmpty { parts.append((.quantizer, 0, nil, quantizerBytes, quantizerBytes.count)) }
        parts.append((.freeSlots, 0, nil, freeBytes, freeBytes.count))
        for e in extras { parts.append((e.type, SnapshotFormat.optionalFlag, nil, e.bytes, e.bytes.count)) }
        return parts
    }

    /// Stores the header page's fixed fields (all but the checksums) at `h`;
    /// returns the creation time it stored, in milliseconds since the epoch.
    private func storeHeaderFields(_ h: UnsafeMutableRawPointer, collection: String, slotCount n: Int, liveCount live: Int,
                                   deletedCount dead: Int, entry: UInt64, walSequence: UInt64, sectionCount: Int) -> UInt64 {
        let g = graph
        SnapshotFormat.magic.withUnsafeBytes { h.copyMemory(from: $0.baseAddress!, byteCount: 8) }
        typealias F = SnapshotFormat.Field
        h.storeBytes(of: SnapshotFormat.majorVersion.littleEndian, toByteOffset: F.major, as: UInt16.self)
        h.storeBytes(of: SnapshotFormat.minorVersion.littleEndian, toByteOffset: F.minor, as: UInt16.self)
        h.storeBytes(of: UInt32(SnapshotFormat.headerBytes).littleEndian, toByteOffset: F.headerBytes, as: UInt32.self)
        h.storeBytes(of: SnapshotFormat.metricCode(parameters.metric), toByteOffset: F.metric, as: UInt8.self)
        h.storeBytes(of: SnapshotFormat.storageCode(parameters.storage), toByteOffset: F.storage, as: UInt8.self)
        h.storeBytes(of: UInt8(parameters.keepFullPrecision ? 1 : 0), toByteOffset: F.keepFullPrecision, as: UInt8.self)
        h.storeBytes(of: UInt32(parameters.dimension).littleEndian, toByteOffset: F.dimension, as: UInt32.self)
        h.storeBytes(of: UInt32(parameters.M).littleEndian, toByteOffset: F.M, as: UInt32.self)
        h.storeBytes(of: UInt32(parameters.efConstruction).littleEndian, toByteOffset: F.efConstruction, as: UInt32.self)
        h.storeBytes(of: UInt32(parameters.efSearch).littleEndian, toByteOffset: F.efSearch, as: UInt32.self)
        h.storeBytes(of: UInt32(g.layout.stride).littleEndian, toByteOffset: F.stride, as: UInt32.self)
        h.storeBytes(of: parameters.seed.littleEndian, toByteOffset: F.seed, as: UInt64.self)
        h.storeBytes(of: UInt64(n).littleEndian, toByteOffset: F.slotCount, as: UInt64.self)
        h.storeBytes(of: UInt64(live).littleEndian, toByteOffset: F.liveCount, as: UInt64.self)
        h.storeBytes(of: UInt64(dead).littleEndian, toByteOffset: F.deletedCount, as: UInt64.self)
        h.storeBytes(of: entry.littleEndian, toByteOffset: F.entry, as: UInt64.self)
        h.storeBytes(of: walSequence.littleEndian, toByteOffset: F.walSequence, as: UInt64.self)
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let millis = UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
        h.storeBytes(of: millis.littleEndian, toByteOffset: F.createdMillis, as: UInt64.self)
        h.storeBytes(of: UInt32(sectionCount).littleEndian, toByteOffset: F.sectionCount, as: UInt32.self)
        let nameBytes = Array(collection.utf8.prefix(SnapshotFormat.maxNameBytes))
        h.storeBytes(of: UInt32(nameBytes.count).littleEndian, toByteOffset: F.nameLength, as: UInt32.self)
        nameBytes.withUnsafeBytes { (h + F.name).copyMemory(from: $0.baseAddress!, byteCount: nameBytes.count) }
        return millis
    }

    /// Stores the section table (checksums still 0) at `h`; returns it as `SectionInfo`s.
    private static func storeSectionTable(_ h: UnsafeMutableRawPointer, parts: [SectionPart],
                                          offsets: [Int]) -> [SnapshotInfo.SectionInfo] {
        var sections: [SnapshotInfo.SectionInfo] = []
        for (i, p) in parts.enumerated() {
            let e = h + SnapshotFormat.sectionEntry(i)
            e.storeBytes(of: p.0.rawValue.littleEndian, toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: p.1.littleEndian, toByteOffset: 4, as: UInt32.self)
            SnapshotFormat.storePlacement(h, section: i, offset: offsets[i], length: p.4)
            // The CRC32C (at `sectionCRCInEntry`) stays 0 until the child reports it.
            sections.append(.init(type: p.0.rawValue, name: p.0.name, flags: p.1, offset: offsets[i], length: p.4, crc: 0))
        }
        return sections
    }
}

/// One section of a snapshot: (type, flags, source in the index's memory or
/// encoded bytes, length).
private typealias SectionPart = (SnapshotFormat.Section, UInt32, UnsafeRawPointer?, [UInt8]?, Int)

@inline(__always)
func appendU32(_ bytes: inout [UInt8], _ v: UInt32) {
    withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
}

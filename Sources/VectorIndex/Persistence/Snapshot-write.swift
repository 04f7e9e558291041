import CSupport
import Primitives

/// A snapshot captured in memory: the whole file image, ready to be written.
///
/// Capturing holds the index's writer lock only for the memory copies; the
/// checksums are computed while the image streams to disk, after the lock is
/// released, so searches and writes go on meanwhile.
public final class SnapshotImage: @unchecked Sendable {
    /// The file's bytes (header page and aligned sections), in anonymous memory.
    let buffer: UnsafeMutableRawBufferPointer
    /// The header; section checksums are filled in by `write(to:)`.
    public private(set) var info: SnapshotInfo
    private var released = false

    init(buffer: UnsafeMutableRawBufferPointer, info: SnapshotInfo) {
        self.buffer = buffer
        self.info = info
    }

    deinit { release() }

    /// Size of the whole file image, header page included.
    public var byteCount: Int { buffer.count }

    /// Memory for an image: straight from the kernel (already zero), so capturing costs one copy.
    /// (Huge pages were tried: on a busy machine their compaction stalls cost seconds.)
    static func allocate(bytes: Int) -> UnsafeMutableRawBufferPointer {
        let size = MemoryRegion.roundUp(max(bytes, 1))
        // MAP_POPULATE faults every page in one pass in the kernel: on a VM, one
        // fault per 4 KiB page during the copy cost more than the copy itself.
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0), p != MAP_FAILED else {
            fatalError("cannot allocate \(size) bytes for a snapshot image (errno \(errno))")
        }
        return UnsafeMutableRawBufferPointer(start: p, count: bytes)
    }

    /// Writes the image durably at `path`: sections stream to `path.tmp` in
    /// chunks, each chunk checksummed as it goes; then the sealed header page
    /// is written at offset 0, the file fsynced, renamed, and the directory fsynced.
    /// - Returns: the header as written, with every checksum.
    @discardableResult
    public func write(to path: String) throws -> SnapshotInfo {
        let tmp = path + ".tmp"
        let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_TRUNC)
        let h = buffer.baseAddress!
        do {
            let chunk = 1 << 20
            var crcs = [UInt32](repeating: 0, count: info.sections.count)
            var offset = SnapshotFormat.headerBytes
            while offset < buffer.count {
                let end = min(offset + chunk, buffer.count)
                for (i, s) in info.sections.enumerated() {
                    let lo = max(offset, s.offset), hi = min(end, s.offset + s.length)
                    if lo < hi { crcs[i] = ld_crc32c(crcs[i], h + lo, hi - lo) }
                }
                try FileIO.pwriteAll(fd, UnsafeRawBufferPointer(start: h + offset, count: end - offset), offset: offset, path: tmp)
                offset = end
            }
            for (i, crc) in crcs.enumerated() {
                (h + SnapshotFormat.sectionTableOffset + i * SnapshotFormat.sectionEntryBytes)
                    .storeBytes(of: crc.littleEndian, toByteOffset: 24, as: UInt32.self)
                info.sections[i].crc = crc
            }
            let headerCRC = ld_crc32c(0, h, SnapshotFormat.Field.headerCRC)
            h.storeBytes(of: headerCRC.littleEndian, toByteOffset: SnapshotFormat.Field.headerCRC, as: UInt32.self)
            try FileIO.pwriteAll(fd, UnsafeRawBufferPointer(start: h, count: SnapshotFormat.headerBytes), offset: 0, path: tmp)
            try FileIO.fsync(fd, path: tmp)
        } catch {
            Glibc.close(fd)
            unlink(tmp)
            throw error
        }
        Glibc.close(fd)
        try FileIO.rename(tmp, path)
        let dir = asPath(path).deletingLastComponent
        try FileIO.fsyncDirectory(dir.isEmpty ? "." : dir)
        info.path = path
        return info
    }

    /// Frees the image's memory now (it is also freed when the image goes away).
    public func release() {
        if released { return }
        released = true
        munmap(buffer.baseAddress, MemoryRegion.roundUp(max(buffer.count, 1)))
    }
}

extension HNSWIndex {
    /// Captures a consistent point-in-time image of the index.
    ///
    /// - Parameters:
    ///   - collection: the name stored in the header (for `restore`).
    ///   - context: called while the writer lock is held, so what it returns
    ///     (the WAL position the image includes, the ranker's state) belongs to
    ///     the same point in time.
    public func captureSnapshot(
        collection: String, context: () -> (walSequence: UInt64, extras: [ExtraSection]) = { (0, []) }
    ) -> SnapshotImage {
        let image = writer.withLock {
            let (walSequence, extras) = context()
            return structure.withShared { captureLocked(collection: collection, walSequence: walSequence, extras: extras) }
        }
        return image
    }

    private func captureLocked(collection: String, walSequence: UInt64, extras: [ExtraSection]) -> SnapshotImage {
        let g = graph
        let n = Int(g.slotCount)
        let (names, live, dead, free) = bookkeepingLock.withLock { (tagNames, slotOfID.count, tombstones.count, g.freeSlots) }
        let parts = sectionParts(tagNames: names, freeSlots: free, extras: extras)

        // Sections start on page boundaries; the file ends where the last section ends,
        // so cutting any byte off the end is detectable.
        var total = SnapshotFormat.headerBytes
        var offsets: [Int] = []
        for p in parts {
            let start = SnapshotFormat.align(total)
            offsets.append(start)
            total = start + p.4
        }
        let buffer = SnapshotImage.allocate(bytes: total)
        for (i, p) in parts.enumerated() where p.4 > 0 {
            let dst = buffer.baseAddress! + offsets[i]
            if let src = p.2 {
                dst.copyMemory(from: src, byteCount: p.4)
            } else if let bytes = p.3 {
                bytes.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: p.4) }
            }
        }
        let entry = UnsafeAtomicLoad.acquire(g.entryWord)

        // Header fields; checksums are filled in by `seal` once the lock is released.
        let h = buffer.baseAddress!
        let millis = storeHeaderFields(h, collection: collection, slotCount: n, liveCount: live, deletedCount: dead,
                                       entry: entry, walSequence: walSequence, sectionCount: parts.count)
        let sections = Self.storeSectionTable(h, parts: parts, offsets: offsets)
        let info = SnapshotInfo(
            path: "", majorVersion: Int(SnapshotFormat.majorVersion), minorVersion: Int(SnapshotFormat.minorVersion),
            collection: collection, parameters: parameters, slotCount: n, liveCount: live, deletedCount: dead,
            entry: entry, walSequence: walSequence, createdMillis: millis, fileBytes: total, sections: sections)
        return SnapshotImage(buffer: buffer, info: info)
    }

    /// The sections of the image, in file order: the graph's regions (copied
    /// from in place) and the small encoded sections, then the callers' extras.
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
            let e = h + SnapshotFormat.sectionTableOffset + i * SnapshotFormat.sectionEntryBytes
            e.storeBytes(of: p.0.rawValue.littleEndian, toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: p.1.littleEndian, toByteOffset: 4, as: UInt32.self)
            e.storeBytes(of: UInt64(offsets[i]).littleEndian, toByteOffset: 8, as: UInt64.self)
            e.storeBytes(of: UInt64(p.4).littleEndian, toByteOffset: 16, as: UInt64.self)
            sections.append(.init(type: p.0.rawValue, name: p.0.name, flags: p.1, offset: offsets[i], length: p.4, crc: 0))
        }
        return sections
    }
}

/// One section of a snapshot image: (type, flags, source in memory or
/// encoded bytes, length).
private typealias SectionPart = (SnapshotFormat.Section, UInt32, UnsafeRawPointer?, [UInt8]?, Int)

@inline(__always)
func appendU32(_ bytes: inout [UInt8], _ v: UInt32) {
    withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
}

import CSupport
import Primitives

/// How `HNSWIndex.load` brings a snapshot into memory.
public enum LoadMode: Sendable {
    /// Read every section into growable memory, verifying every checksum: a
    /// normal, writable index.
    case full
    /// Map the file read-only and use it in place: opens in milliseconds
    /// whatever the size, verifies only the header; pages are read as searches
    /// touch them. Writes throw `PersistenceError.readOnly`.
    case mapped
}

extension SnapshotInfo {
    /// Reads and checks a snapshot's header page: magic, version, header CRC32C,
    /// field ranges and that every section lies inside the file.
    public static func read(path: String) throws -> SnapshotInfo {
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        let size = try FileIO.fileSize(fd, path: path)
        guard size >= SnapshotFormat.headerBytes else {
            if size >= 8 {
                var magic = [UInt8](repeating: 0, count: 8)
                try magic.withUnsafeMutableBytes { try FileIO.preadAll(fd, into: $0.baseAddress!, count: 8, offset: 0, path: path) }
                if magic == SnapshotFormat.magic {
                    throw PersistenceError.truncated(path: path, expectedBytes: SnapshotFormat.headerBytes, actualBytes: size)
                }
            }
            throw PersistenceError.notASnapshot(path: path, reason: "only \(size) bytes")
        }
        var page = [UInt8](repeating: 0, count: SnapshotFormat.headerBytes)
        try page.withUnsafeMutableBytes {
            try FileIO.preadAll(fd, into: $0.baseAddress!, count: SnapshotFormat.headerBytes, offset: 0, path: path)
        }
        return try page.withUnsafeBytes { try parse(header: $0.baseAddress!, path: path, fileBytes: size) }
    }

    static func parse(header h: UnsafeRawPointer, path: String, fileBytes: Int) throws -> SnapshotInfo {
        typealias F = SnapshotFormat.Field
        func u8(_ o: Int) -> UInt8 { h.load(fromByteOffset: o, as: UInt8.self) }
        func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: h.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: h.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: h.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }

        guard (0..<8).allSatisfy({ u8($0) == SnapshotFormat.magic[$0] }) else {
            throw PersistenceError.notASnapshot(path: path, reason: "bad magic")
        }
        let major = Int(u16(F.major))
        // The version is checked before the checksum, so a newer file gets the
        // upgrade message rather than "damaged".
        guard major <= Int(SnapshotFormat.majorVersion) else {
            throw PersistenceError.unsupportedVersion(path: path, found: major, supported: Int(SnapshotFormat.majorVersion))
        }
        let stored = u32(F.headerCRC)
        let actual = ld_crc32c(0, h, F.headerCRC)
        guard stored == actual else {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "header checksum \(hex(actual)) != stored \(hex(stored))")
        }
        guard let metric = SnapshotFormat.metric(code: u8(F.metric)),
              let storage = SnapshotFormat.storage(code: u8(F.storage))
        else {
            throw PersistenceError.corrupt(path: path, offset: F.metric, reason: "unknown metric or storage code")
        }
        let params = IndexParameters(
            dimension: Int(u32(F.dimension)), metric: metric, M: Int(u32(F.M)),
            efConstruction: Int(u32(F.efConstruction)), efSearch: Int(u32(F.efSearch)),
            storage: storage, keepFullPrecision: u8(F.keepFullPrecision) != 0, seed: u64(F.seed))
        do { try params.validate() } catch {
            throw PersistenceError.corrupt(path: path, offset: F.dimension, reason: "\(error)")
        }
        let nameLength = Int(u32(F.nameLength))
        guard nameLength <= SnapshotFormat.maxNameBytes else {
            throw PersistenceError.corrupt(path: path, offset: F.nameLength, reason: "name length \(nameLength)")
        }
        let name = String(decoding: UnsafeRawBufferPointer(start: h + F.name, count: nameLength), as: UTF8.self)
        let count = Int(u32(F.sectionCount))
        guard count <= SnapshotFormat.maxSections else {
            throw PersistenceError.corrupt(path: path, offset: F.sectionCount, reason: "\(count) sections")
        }
        var sections: [SectionInfo] = []
        for i in 0..<count {
            let e = SnapshotFormat.sectionTableOffset + i * SnapshotFormat.sectionEntryBytes
            let type = u32(e)
            let offset = Int(u64(e + 8)), length = Int(u64(e + 16))
            guard offset >= SnapshotFormat.headerBytes, length >= 0, offset <= Int.max - length else {
                throw PersistenceError.corrupt(path: path, offset: e, reason: "section \(i) has offset \(offset), length \(length)")
            }
            if offset + length > fileBytes {
                throw PersistenceError.truncated(path: path, expectedBytes: offset + length, actualBytes: fileBytes)
            }
            sections.append(SectionInfo(
                type: type, name: SnapshotFormat.Section(rawValue: type)?.name ?? "unknown-\(type)",
                flags: u32(e + 4), offset: offset, length: length, crc: u32(e + 24)))
        }
        let end = sections.map { $0.offset + $0.length }.max() ?? SnapshotFormat.headerBytes
        if fileBytes > end {
            throw PersistenceError.corrupt(path: path, offset: end, reason: "\(fileBytes - end) unexpected bytes after the last section")
        }
        return SnapshotInfo(
            path: path, majorVersion: major, minorVersion: Int(u16(F.minor)), collection: name, parameters: params,
            slotCount: Int(u64(F.slotCount)), liveCount: Int(u64(F.liveCount)), deletedCount: Int(u64(F.deletedCount)),
            entry: u64(F.entry), walSequence: u64(F.walSequence), createdMillis: u64(F.createdMillis),
            fileBytes: fileBytes, sections: sections)
    }

    func section(_ s: SnapshotFormat.Section) -> SectionInfo? { sections.first { $0.type == s.rawValue } }

    /// Checks the sections this build needs are present and the sizes agree with the header.
    func checkStructure() throws {
        for s in sections where SnapshotFormat.Section(rawValue: s.type) == nil && s.flags & SnapshotFormat.optionalFlag == 0 {
            throw PersistenceError.unsupportedVersion(path: path, found: majorVersion, supported: Int(SnapshotFormat.majorVersion))
        }
        let layout = NodeLayout(parameters: parameters)
        func expect(_ s: SnapshotFormat.Section, _ bytes: Int) throws {
            guard let info = section(s) else {
                throw PersistenceError.corrupt(path: path, offset: 0, reason: "missing section \(s.name)")
            }
            guard info.length == bytes else {
                throw PersistenceError.corrupt(path: path, offset: info.offset,
                                               reason: "section \(s.name) is \(info.length) bytes, expected \(bytes)")
            }
        }
        try expect(.nodes, slotCount * layout.stride)
        try expect(.metas, slotCount * MemoryLayout<NodeMeta>.stride)
        if parameters.hasSeparateFullPrecision { try expect(.fullVectors, slotCount * parameters.dimension * 4) }
        for s in [SnapshotFormat.Section.upperLinks, .tagLists, .tagNames, .freeSlots] where section(s) == nil {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "missing section \(s.name)")
        }
    }
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

extension HNSWIndex {
    /// Opens a snapshot written by `captureSnapshot(...).write(to:)`.
    ///
    /// - Parameters:
    ///   - mode: `.full` verifies every checksum and gives a writable index;
    ///     `.mapped` opens in place, read-only, checking the header only.
    ///   - capacity: room for growth after a full load (default: twice the slots, at least 1 M).
    /// - Returns: the index, its header, and the sections other modules own (the ranker's).
    /// - Throws: `PersistenceError` naming the file, the offset and what is wrong.
    public static func load(path: String, mode: LoadMode = .full, capacity: Int? = nil) throws
        -> (index: HNSWIndex, info: SnapshotInfo, extras: [ExtraSection])
    {
        let info = try SnapshotInfo.read(path: path)
        try info.checkStructure()
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        let p = info.parameters
        let layout = NodeLayout(parameters: p)
        let n = info.slotCount

        var extras: [ExtraSection] = []
        func readSmall(_ s: SnapshotInfo.SectionInfo) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: s.length)
            if s.length > 0 {
                try bytes.withUnsafeMutableBytes {
                    try FileIO.preadAll(fd, into: $0.baseAddress!, count: s.length, offset: s.offset, path: path)
                }
            }
            let crc = bytes.withUnsafeBytes { ld_crc32c(0, $0.baseAddress, s.length) }
            guard crc == s.crc else {
                throw PersistenceError.corrupt(path: path, offset: s.offset,
                                               reason: "section \(s.name) checksum \(hex(crc)) != stored \(hex(s.crc))")
            }
            return bytes
        }

        let graph: HNSWGraph
        switch mode {
        case .full:
            let cap = max(capacity ?? max(2 * n, 1 << 20), n)
            let fresh = HNSWGraph(parameters: p, capacity: cap)
            func fill(_ region: MemoryRegion, _ s: SnapshotFormat.Section) throws {
                guard let sec = info.section(s) else { return }
                guard region.commit(upTo: sec.length) else {
                    throw PersistenceError.corrupt(path: path, offset: sec.offset, reason: "section \(sec.name) larger than its reservation")
                }
                // Chunk by chunk, each checksummed while it is still in cache.
                var crc: UInt32 = 0
                var done = 0
                while done < sec.length {
                    let n = min(8 << 20, sec.length - done)
                    try FileIO.preadAll(fd, into: region.base + done, count: n, offset: sec.offset + done, path: path)
                    crc = ld_crc32c(crc, region.base + done, n)
                    done += n
                }
                guard crc == sec.crc else {
                    throw PersistenceError.corrupt(path: path, offset: sec.offset,
                                                   reason: "section \(sec.name) checksum \(hex(crc)) != stored \(hex(sec.crc))")
                }
            }
            try fill(fresh.nodes, .nodes)
            try fill(fresh.metas, .metas)
            if let full = fresh.full { try fill(full, .fullVectors) }
            try fill(fresh.upperArena.region, .upperLinks)
            try fill(fresh.tagArena.region, .tagLists)
            graph = HNSWGraph(
                parameters: p, capacity: cap, nodes: fresh.nodes, metas: fresh.metas, full: fresh.full,
                upperArena: WordArena(region: fresh.upperArena.region, used: info.section(.upperLinks)!.length / 4),
                tagArena: WordArena(region: fresh.tagArena.region, used: info.section(.tagLists)!.length / 4),
                slotCount: UInt32(n), entry: info.entry)
        case .mapped:
            guard let base = mmap(nil, info.fileBytes, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
                throw PersistenceError.io(path: path, operation: "mmap", message: FileIO.errorText())
            }
            let file = MappedFile(base: base, length: info.fileBytes)
            func region(_ s: SnapshotFormat.Section) -> MemoryRegion? {
                info.section(s).map { MemoryRegion(external: base + $0.offset, length: $0.length, owner: file) }
            }
            graph = HNSWGraph(
                parameters: p, capacity: n, nodes: region(.nodes)!, metas: region(.metas)!, full: region(.fullVectors),
                upperArena: WordArena(region: region(.upperLinks)!, used: info.section(.upperLinks)!.length / 4),
                tagArena: WordArena(region: region(.tagLists)!, used: info.section(.tagLists)!.length / 4),
                slotCount: UInt32(n), entry: info.entry)
        }

        // Small sections: always read and verified.
        let names = try decodeTagNames(readSmall(info.section(.tagNames)!), path: path, offset: info.section(.tagNames)!.offset)
        if let q = info.section(.quantizer) {
            let bytes = try readSmall(q)
            guard bytes.count == 8 * p.dimension else {
                throw PersistenceError.corrupt(path: path, offset: q.offset, reason: "quantizer is \(bytes.count) bytes")
            }
            let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            graph.quantizer = ScalarQuantizer(low: Array(floats[0..<p.dimension]), step: Array(floats[p.dimension...]))
        } else if p.storage == .int8 && n > 0 {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "int8 storage without a quantizer section")
        }
        let freeBytes = try readSmall(info.section(.freeSlots)!)
        graph.freeSlots = try decodeU32List(freeBytes, path: path, offset: info.section(.freeSlots)!.offset)
        for s in info.sections where SnapshotFormat.Section(rawValue: s.type).map(\.belongsToCaller) ?? false {
            extras.append(ExtraSection(type: SnapshotFormat.Section(rawValue: s.type)!, bytes: try readSmall(s)))
        }

        try validateMetadata(graph, names: names, info: info)
        let index = try HNSWIndex(adopting: graph, tagNames: names, readOnly: mode == .mapped)
        if mode == .full {
            let live = index.count  // derives the maps now
            guard live == info.liveCount else {
                throw PersistenceError.corrupt(path: path, offset: info.section(.metas)!.offset,
                                               reason: "\(live) live ids in the metadata, header says \(info.liveCount)")
            }
        }
        return (index, info, extras)
    }

    /// Checks that every offset in the node metadata lies inside its arena and that
    /// the entry point names a real node (links are bounds-checked as they are traversed).
    static func validateMetadata(_ g: HNSWGraph, names: [String], info: SnapshotInfo) throws {
        let n = g.slotCount
        let upperWords = UInt64(g.upperArena.used)
        let tagWords = UInt64(g.tagArena.used)
        let metaBase = info.section(.metas)!.offset
        for s in 0..<n {
            let m = g.meta(s).pointee
            let at = metaBase + MemoryLayout<NodeMeta>.stride * Int(s)
            if m.upper != 0 && (m.upper - 1) + UInt64(m.level) * UInt64(g.layout.upperLayerWords) > upperWords {
                throw PersistenceError.corrupt(path: info.path, offset: at, reason: "slot \(s): upper links outside their arena")
            }
            if m.upper == 0 && m.level > 0 {
                throw PersistenceError.corrupt(path: info.path, offset: at, reason: "slot \(s): level \(m.level) without upper links")
            }
            if m.tags != 0 {
                let t = UInt64(m.tags - 1)
                guard t < tagWords, t + UInt64(g.tagArena.pointer(t).pointee) < tagWords else {
                    throw PersistenceError.corrupt(path: info.path, offset: at, reason: "slot \(s): tag list outside its arena")
                }
            }
        }
        if let e = g.entry, e.slot >= n || e.level > Int(g.meta(e.slot).pointee.level) {
            throw PersistenceError.corrupt(path: info.path, offset: SnapshotFormat.Field.entry, reason: "entry point \(e) is invalid")
        }
    }
}

extension HNSWIndex {
    /// The id map, tag counts, postings and tombstones, derived from node metadata.
    func deriveBookkeeping() -> (ids: [UInt64: UInt32], counts: [UInt32: Int], postings: [UInt32: [UInt32]], tombstones: Set<UInt32>) {
        let g = graph
        let n = g.slotCount
        var ids: [UInt64: UInt32] = [:]
        ids.reserveCapacity(Int(n))
        var counts: [UInt32: Int] = [:]
        var post: [UInt32: [UInt32]] = [:]
        var dead = Set<UInt32>()
        for s in 0..<n {
            let flags = g.meta(s).pointee.flags
            if flags & NodeFlags.unlinked != 0 { continue }
            if flags & NodeFlags.deleted != 0 {
                dead.insert(s)
                continue
            }
            ids[g.meta(s).pointee.label] = s
            if let t = g.tags(s) {
                for i in 0..<Int(t[0]) where Int(t[1 + i]) < tagNames.count {
                    counts[t[1 + i], default: 0] += 1
                    post[t[1 + i], default: []].append(s)
                }
            }
        }
        return (ids, counts, post, dead)
    }
}

func decodeTagNames(_ bytes: [UInt8], path: String, offset: Int) throws -> [String] {
    try withRecordReader(bytes, path: path, origin: offset) { r in
        let count = try r.readCount("tag name count", minimumItemSize: 4)
        var names: [String] = []
        names.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try r.read(UInt32.self, "tag name length"))
            names.append(String(decoding: try r.readRaw(count: length, "tag name"), as: UTF8.self))
        }
        return names
    }
}

func decodeU32List(_ bytes: [UInt8], path: String, offset: Int) throws -> [UInt32] {
    try withRecordReader(bytes, path: path, origin: offset) { r in
        let count = Int(try r.read(UInt32.self, "free slot count"))
        return try r.readArray(of: UInt32.self, count: count, "free slots")
    }
}

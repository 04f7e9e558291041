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

extension HNSWIndex {
    /// Opens a snapshot written by `writeSnapshot(collection:to:)` or `startSnapshot(...).finish()`.
    ///
    /// - Parameters:
    ///   - path: the snapshot file.
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
        let snapshot = SnapshotSections(fd: fd, path: path, info: info)

        let graph: HNSWGraph
        switch mode {
        case .full: graph = try readGraph(snapshot, capacity: capacity)
        case .mapped: graph = try mapGraph(snapshot)
        }

        // Small sections: always read and verified.
        let names = try decodeTagNames(snapshot.readSmall(info.section(.tagNames)!), path: path, offset: info.section(.tagNames)!.offset)
        try readQuantizer(snapshot, into: graph)
        let freeBytes = try snapshot.readSmall(info.section(.freeSlots)!)
        graph.freeSlots = try decodeU32List(freeBytes, path: path, offset: info.section(.freeSlots)!.offset)
        var extras: [ExtraSection] = []
        for s in info.sections where SnapshotFormat.Section(rawValue: s.type).map(\.belongsToCaller) ?? false {
            extras.append(ExtraSection(type: SnapshotFormat.Section(rawValue: s.type)!, bytes: try snapshot.readSmall(s)))
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

    /// `.full`: the graph's big sections read into fresh growable regions,
    /// every checksum verified; room for `capacity` slots (default: twice
    /// the slots, at least 1 M).
    private static func readGraph(_ snapshot: SnapshotSections, capacity: Int?) throws -> HNSWGraph {
        let (info, p, n) = (snapshot.info, snapshot.info.parameters, snapshot.info.slotCount)
        let cap = max(capacity ?? max(2 * n, 1 << 20), n)
        let fresh = HNSWGraph(parameters: p, capacity: cap)
        try snapshot.fill(fresh.nodes, .nodes)
        try snapshot.fill(fresh.metas, .metas)
        if let full = fresh.full { try snapshot.fill(full, .fullVectors) }
        try snapshot.fill(fresh.upperArena.region, .upperLinks)
        try snapshot.fill(fresh.tagArena.region, .tagLists)
        return HNSWGraph(
            parameters: p, capacity: cap, nodes: fresh.nodes, metas: fresh.metas, full: fresh.full,
            upperArena: WordArena(region: fresh.upperArena.region, used: info.section(.upperLinks)!.length / 4),
            tagArena: WordArena(region: fresh.tagArena.region, used: info.section(.tagLists)!.length / 4),
            slotCount: UInt32(n), entry: info.entry)
    }

    /// `.mapped`: the graph's big sections used in place in a read-only map of the file.
    private static func mapGraph(_ snapshot: SnapshotSections) throws -> HNSWGraph {
        let (info, p, n, path) = (snapshot.info, snapshot.info.parameters, snapshot.info.slotCount, snapshot.path)
        guard let base = mmap(nil, info.fileBytes, PROT_READ, MAP_PRIVATE, snapshot.fd, 0), base != MAP_FAILED else {
            throw PersistenceError.io(path: path, operation: "mmap", message: FileIO.errorText())
        }
        let file = MappedFile(base: base, length: info.fileBytes)
        func region(_ s: SnapshotFormat.Section) -> MemoryRegion? {
            info.section(s).map { MemoryRegion(external: base + $0.offset, length: $0.length, owner: file) }
        }
        return HNSWGraph(
            parameters: p, capacity: n, nodes: region(.nodes)!, metas: region(.metas)!, full: region(.fullVectors),
            upperArena: WordArena(region: region(.upperLinks)!, used: info.section(.upperLinks)!.length / 4),
            tagArena: WordArena(region: region(.tagLists)!, used: info.section(.tagLists)!.length / 4),
            slotCount: UInt32(n), entry: info.entry)
    }

    /// The int8 quantizer's ranges, required when the storage is int8 and the index is not empty.
    private static func readQuantizer(_ snapshot: SnapshotSections, into graph: HNSWGraph) throws {
        let (info, p, n, path) = (snapshot.info, snapshot.info.parameters, snapshot.info.slotCount, snapshot.path)
        if let q = info.section(.quantizer) {
            let bytes = try snapshot.readSmall(q)
            guard bytes.count == 8 * p.dimension else {
                throw PersistenceError.corrupt(path: path, offset: q.offset, reason: "quantizer is \(bytes.count) bytes")
            }
            let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            graph.quantizer = ScalarQuantizer(low: Array(floats[0..<p.dimension]), step: Array(floats[p.dimension...]))
        } else if p.storage == .int8 && n > 0 {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "int8 storage without a quantizer section")
        }
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

/// A snapshot open for loading: reads its sections with their checksums verified.
private struct SnapshotSections {
    let fd: Int32
    let path: String
    let info: SnapshotInfo

    /// A small section, whole, into a new array.
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

    /// A big section into `region` (committed as far as it needs); nothing when the file has no such section.
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

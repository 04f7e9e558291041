import CSupport
import Primitives

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
        let f = HeaderFields(h)
        let major = try checkIdentity(f, path: path)
        let params = try parseParameters(f, path: path)
        let nameLength = Int(f.u32(F.nameLength))
        guard nameLength <= SnapshotFormat.maxNameBytes else {
            throw PersistenceError.corrupt(path: path, offset: F.nameLength, reason: "name length \(nameLength)")
        }
        let name = String(decoding: UnsafeRawBufferPointer(start: h + F.name, count: nameLength), as: UTF8.self)
        let sections = try parseSectionTable(f, path: path, fileBytes: fileBytes)
        return SnapshotInfo(
            path: path, majorVersion: major, minorVersion: Int(f.u16(F.minor)), collection: name, parameters: params,
            slotCount: Int(f.u64(F.slotCount)), liveCount: Int(f.u64(F.liveCount)), deletedCount: Int(f.u64(F.deletedCount)),
            entry: f.u64(F.entry), walSequence: f.u64(F.walSequence), createdMillis: f.u64(F.createdMillis),
            fileBytes: fileBytes, sections: sections)
    }

    /// Magic, major version and header checksum; returns the major version.
    /// The version is checked before the checksum, so a newer file gets the
    /// upgrade message rather than "damaged".
    private static func checkIdentity(_ f: HeaderFields, path: String) throws -> Int {
        typealias F = SnapshotFormat.Field
        guard (0..<8).allSatisfy({ f.u8($0) == SnapshotFormat.magic[$0] }) else {
            throw PersistenceError.notASnapshot(path: path, reason: "bad magic")
        }
        let major = Int(f.u16(F.major))
        guard major <= Int(SnapshotFormat.majorVersion) else {
            throw PersistenceError.unsupportedVersion(path: path, found: major, supported: Int(SnapshotFormat.majorVersion))
        }
        let stored = f.u32(F.headerCRC)
        let actual = ld_crc32c(0, f.base, F.headerCRC)
        guard stored == actual else {
            throw PersistenceError.corrupt(path: path, offset: 0, reason: "header checksum \(hex(actual)) != stored \(hex(stored))")
        }
        return major
    }

    /// The index parameters the snapshot was built with, validated.
    private static func parseParameters(_ f: HeaderFields, path: String) throws -> IndexParameters {
        typealias F = SnapshotFormat.Field
        guard let metric = SnapshotFormat.metric(code: f.u8(F.metric)),
              let storage = SnapshotFormat.storage(code: f.u8(F.storage))
        else {
            throw PersistenceError.corrupt(path: path, offset: F.metric, reason: "unknown metric or storage code")
        }
        let params = IndexParameters(
            dimension: Int(f.u32(F.dimension)), metric: metric, M: Int(f.u32(F.M)),
            efConstruction: Int(f.u32(F.efConstruction)), efSearch: Int(f.u32(F.efSearch)),
            storage: storage, keepFullPrecision: f.u8(F.keepFullPrecision) != 0, seed: f.u64(F.seed))
        do { try params.validate() } catch {
            throw PersistenceError.corrupt(path: path, offset: F.dimension, reason: "\(error)")
        }
        return params
    }

    /// The section table: every section inside the file, nothing after the last one.
    private static func parseSectionTable(_ f: HeaderFields, path: String, fileBytes: Int) throws -> [SectionInfo] {
        typealias F = SnapshotFormat.Field
        let count = Int(f.u32(F.sectionCount))
        guard count <= SnapshotFormat.maxSections else {
            throw PersistenceError.corrupt(path: path, offset: F.sectionCount, reason: "\(count) sections")
        }
        var sections: [SectionInfo] = []
        for i in 0..<count {
            let e = SnapshotFormat.sectionEntry(i)
            let type = f.u32(e)
            let offset = Int(f.u64(e + SnapshotFormat.sectionOffsetInEntry)), length = Int(f.u64(e + SnapshotFormat.sectionLengthInEntry))
            guard offset >= SnapshotFormat.headerBytes, length >= 0, offset <= Int.max - length else {
                throw PersistenceError.corrupt(path: path, offset: e, reason: "section \(i) has offset \(offset), length \(length)")
            }
            if offset + length > fileBytes {
                throw PersistenceError.truncated(path: path, expectedBytes: offset + length, actualBytes: fileBytes)
            }
            sections.append(SectionInfo(
                type: type, name: SnapshotFormat.Section(rawValue: type)?.name ?? "unknown-\(type)",
                flags: f.u32(e + 4), offset: offset, length: length, crc: f.u32(e + SnapshotFormat.sectionCRCInEntry)))
        }
        let end = sections.map { $0.offset + $0.length }.max() ?? SnapshotFormat.headerBytes
        if fileBytes > end {
            throw PersistenceError.corrupt(path: path, offset: end, reason: "\(fileBytes - end) unexpected bytes after the last section")
        }
        return sections
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

/// Little-endian reads of the header page's fixed fields (the page is
/// `SnapshotFormat.headerBytes` long; offsets come from `SnapshotFormat.Field`).
private struct HeaderFields {
    let base: UnsafeRawPointer
    init(_ base: UnsafeRawPointer) { self.base = base }
    func u8(_ o: Int) -> UInt8 { base.load(fromByteOffset: o, as: UInt8.self) }
    func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
}

/// `v` as `0x` and 8 hex digits, the way checksums appear in error messages.
func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

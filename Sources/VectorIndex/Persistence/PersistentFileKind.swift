import Primitives

/// What a file of the index's is, told by its magic bytes — never by its name, so
/// a snapshot copied to `backup.bin` is still checked as one and random bytes
/// named `snapshot-….ldx` are not "ok".
public enum PersistentFileKind: Sendable, Equatable {
    /// Starts with `LDXSNAP\0` (``SnapshotFormat/magic``).
    case snapshot
    /// Starts with `LDXWAL\0\0` (``WriteAheadLog/magic``).
    case logSegment

    /// Reads the first 8 bytes of `path`.
    /// - Throws: ``PersistenceError/notASnapshot(path:reason:)`` for a file shorter
    ///   than a magic or starting with anything else (the reason shows its first bytes),
    ///   and `PersistenceError.io` when it cannot be read.
    public static func detect(path: String) throws -> PersistentFileKind {
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        let size = try FileIO.fileSize(fd, path: path)
        guard size >= 8 else {
            throw PersistenceError.notASnapshot(path: path, reason:
                "\(size) bytes, too short for a snapshot or log segment (they start with an 8-byte magic)")
        }
        var magic = [UInt8](repeating: 0, count: 8)
        try magic.withUnsafeMutableBytes { try FileIO.preadAll(fd, into: $0.baseAddress!, count: 8, offset: 0, path: path) }
        if magic == SnapshotFormat.magic { return .snapshot }
        if magic == WriteAheadLog.magic { return .logSegment }
        let shown = magic.map { byte in byte >= 0x20 && byte < 0x7f ? String(UnicodeScalar(byte)) : "." }.joined()
        throw PersistenceError.notASnapshot(path: path, reason:
            "starts with \"\(shown)\" (\(magic.map { hex2($0) }.joined(separator: " "))), neither a snapshot (LDXSNAP) nor a log segment (LDXWAL)")
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

import CSupport
import Primitives

/// `verify` for snapshots, like `redis-check-rdb`: checks every checksum and
/// structure without loading the index.
public enum SnapshotVerifier {
    /// Reads the whole file once, checking the header and every section's CRC32C
    /// and the sizes the header implies.
    ///
    /// - Returns: the header, when everything checks out.
    /// - Throws: `PersistenceError` naming the first damage found (file, offset, section).
    @discardableResult
    public static func verify(path: String) throws -> SnapshotInfo {
        let info = try SnapshotInfo.read(path: path)
        try info.checkStructure()
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        for s in info.sections {
            var crc: UInt32 = 0
            var done = 0
            while done < s.length {
                let n = min(chunk, s.length - done)
                try FileIO.preadAll(fd, into: buffer, count: n, offset: s.offset + done, path: path)
                crc = ld_crc32c(crc, buffer, n)
                done += n
            }
            guard crc == s.crc else {
                throw PersistenceError.corrupt(path: path, offset: s.offset,
                                               reason: "section \(s.name) checksum \(hex(crc)) != stored \(hex(s.crc))")
            }
        }
        return info
    }
}

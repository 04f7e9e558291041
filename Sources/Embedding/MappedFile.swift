#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory mapping of a whole file.
///
/// Model weights are read straight from the page cache: loading costs no copy
/// and no parse, and pages the model never touches (most rows of the word
/// embedding table) never become resident.
final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives until deinit; nothing mutates it.
    let path: String
    let bytes: UnsafeRawBufferPointer

    /// Maps `path` read-only.
    /// - Throws: ``EmbeddingError/fileNotFound(path:)`` or ``EmbeddingError/cannotRead(path:reason:)``.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw EmbeddingError.fileNotFound(path: path) }
            throw EmbeddingError.cannotRead(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw EmbeddingError.cannotRead(path: path, reason: "fstat: " + String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw EmbeddingError.cannotRead(path: path, reason: "the file is empty") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw EmbeddingError.cannotRead(path: path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Drops the resident pages wholly inside `range` (byte offsets into the file).
    func discardPages(in range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (range.lowerBound + page - 1) / page * page
        let last = range.upperBound / page * page
        guard first < last else { return }
        madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + first), last - first, MADV_DONTNEED)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// Why a file could not be mapped.
public struct MappedFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Cause: Hashable, Sendable {
        /// There is no file at the path.
        case notFound
        /// The file has no bytes (an empty mapping is not allowed).
        case empty
        /// A system call failed: its name (`open`, `fstat`, `mmap`) and `strerror`'s text.
        case systemCall(name: String, message: String)
    }

    /// The file.
    public var path: String
    /// What went wrong.
    public var cause: Cause

    /// An error for `path`.
    public init(path: String, cause: Cause) {
        self.path = path
        self.cause = cause
    }

    /// The path and the cause, in one line.
    public var description: String {
        switch cause {
        case .notFound: "\(path): no such file"
        case .empty: "\(path): the file is empty"
        case let .systemCall(name, message): "\(path): \(name): \(message)"
        }
    }
}

/// A read-only, private memory mapping of a whole file, unmapped when the
/// last reference goes.
///
/// Model weights and mapped index snapshots are read straight from the page
/// cache: opening costs no copy and no parse, and pages nothing touches never
/// become resident. Regions that point into the mapping keep a reference to
/// it so it outlives them.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives until deinit; nothing mutates it.
    /// The mapped bytes: the whole file.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path` read-only.
    /// - Throws: ``MappedFileError`` when the file is missing, empty, or cannot
    ///   be opened, inspected or mapped.
    public init(path: String) throws(MappedFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw MappedFileError(path: path, cause: .notFound) }
            throw MappedFileError(path: path, cause: .systemCall(name: "open", message: String(cString: strerror(code))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MappedFileError(path: path, cause: .systemCall(name: "fstat", message: String(cString: strerror(errno))))
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw MappedFileError(path: path, cause: .empty) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw MappedFileError(path: path, cause: .systemCall(name: "mmap", message: String(cString: strerror(errno))))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Takes ownership of a whole-file, read-only mapping the caller made with
    /// `mmap` on a descriptor it already holds (the snapshot loader, which has
    /// read the header through it); it is unmapped on deinit.
    public init(base: UnsafeMutableRawPointer, length: Int) {
        bytes = UnsafeRawBufferPointer(start: base, count: length)
    }

    /// Drops the resident pages wholly inside `range` (byte offsets into the
    /// file), once their contents have been copied elsewhere.
    public func discardPages(in range: Range<Int>) {
        guard let start = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (range.lowerBound + page - 1) / page * page
        let last = range.upperBound / page * page
        guard first < last else { return }
        madvise(UnsafeMutableRawPointer(mutating: start + first), last - first, MADV_DONTNEED)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

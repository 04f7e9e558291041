import CSupport
import Primitives

/// Errors of the files the index writes and reads, each naming the file,
/// the byte offset where it matters, and what was wrong.
public enum PersistenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed: `operation` on `path`, with `errno`'s text.
    case io(path: String, operation: String, message: String)
    /// Not a Loopdesk file of the expected kind.
    case notASnapshot(path: String, reason: String)
    /// Written by a newer Loopdesk: this reader knows major versions up to `supported`.
    case unsupportedVersion(path: String, found: Int, supported: Int)
    /// A checksum or a structural check failed.
    case corrupt(path: String, offset: Int, reason: String)
    /// The file ends before the data its header promises.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// Another process holds the data directory.
    case locked(path: String)
    /// A write to an index opened `.mapped`, which only searches.
    case readOnly
    /// Opening the collection in `directory` would serve a partial index (every snapshot
    /// rejected, or log records missing after the snapshot); it was not opened.
    case partialRecovery(directory: String, reason: String)

    /// A sentence naming the file, the offset and what to do, for logs and `verify`.
    public var description: String {
        switch self {
        case let .io(path, operation, message): return "\(operation) \(path): \(message)"
        case let .notASnapshot(path, reason): return "\(path) is not a Loopdesk snapshot or log segment: \(reason)"
        case let .unsupportedVersion(path, found, supported):
            return "\(path) has format version \(found), newer than this build reads (\(supported)); upgrade loopdesk-core"
        case let .corrupt(path, offset, reason): return "\(path) is damaged at byte \(offset): \(reason)"
        case let .truncated(path, expected, actual):
            return "\(path) is truncated: \(actual) bytes, expected at least \(expected)"
        case let .locked(path):
            return "\(path) is in use by another loopdesk-core (its LOCK is held); stop it or choose another --data"
        case .readOnly: return "this index is a read-only mapped view; load it fully to change it"
        case let .partialRecovery(directory, reason):
            return "\(directory) would open as a partial index: \(reason). Check its files with `loopdesk-core verify \(directory)`, "
                + "install a good snapshot with `loopdesk-core restore FILE --data DATA`, or start with "
                + "--allow-partial-recovery to serve what is left"
        }
    }
}

/// Thin, error-precise wrappers over the POSIX calls persistence needs.
enum FileIO {
    static func errorText() -> String { String(cString: strerror(errno)) }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw PersistenceError.io(path: path, operation: "open", message: errorText()) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw PersistenceError.io(path: path, operation: "write", message: errorText())
            }
            done += n
        }
    }

    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.pwrite(fd, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw PersistenceError.io(path: path, operation: "write", message: errorText())
            }
            done += n
        }
    }

    static func preadAll(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, offset: Int, path: String) throws {
        var done = 0
        while done < count {
            let n = Glibc.pread(fd, buffer + done, min(count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw PersistenceError.io(path: path, operation: "read", message: errorText())
            }
            if n == 0 { throw PersistenceError.truncated(path: path, expectedBytes: offset + count, actualBytes: offset + done) }
            done += n
        }
    }

    /// Allocates the file's blocks for `count` bytes from `offset` (`posix_fallocate`),
    /// growing the file to cover them; what was not written reads as zeros.
    /// On a full disk this fails and the bytes before `offset` are untouched.
    static func allocate(_ fd: Int32, offset: Int, count: Int, path: String) throws {
        var code: Int32
        repeat { code = posix_fallocate(fd, off_t(offset), off_t(count)) } while code == EINTR
        if code != 0 {
            throw PersistenceError.io(path: path, operation: "allocate \(count) bytes in", message: String(cString: strerror(code)))
        }
    }

    /// Cuts the file back to `length` bytes and syncs it, so the cut survives a crash.
    static func truncate(_ fd: Int32, to length: Int, path: String) throws {
        if ftruncate(fd, off_t(length)) != 0 {
            throw PersistenceError.io(path: path, operation: "truncate", message: errorText())
        }
        try fsync(fd, path: path)
    }

    static func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw PersistenceError.io(path: path, operation: "fsync", message: errorText()) }
    }

    static func fdatasync(_ fd: Int32, path: String) throws {
        if Glibc.fdatasync(fd) != 0 { throw PersistenceError.io(path: path, operation: "fdatasync", message: errorText()) }
    }

    /// fsyncs a directory, so a rename or a new file in it survives a crash.
    static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw PersistenceError.io(path: to, operation: "rename \(from) to", message: errorText())
        }
    }

    static func fileSize(_ fd: Int32, path: String) throws -> Int {
        var st = stat()
        if fstat(fd, &st) != 0 { throw PersistenceError.io(path: path, operation: "stat", message: errorText()) }
        return Int(st.st_size)
    }

    static func makeDirectory(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 { return }
        let parent = asPath(path).deletingLastComponent
        if !parent.isEmpty && parent != path { try makeDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw PersistenceError.io(path: path, operation: "mkdir", message: errorText())
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `PREFIX<n as 20 digits>SUFFIX`: names that sort in sequence order.
    static func sequencedName(prefix: String, _ n: UInt64, suffix: String) -> String {
        let digits = String(n)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The files named by `sequencedName` in `directory`, in sequence order.
    static func sequencedFiles(in directory: String, prefix: String, suffix: String) -> [(sequence: UInt64, path: String)] {
        listDirectory(directory).compactMap { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix),
                  let n = UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
            else { return nil }
            return (n, directory + "/" + name)
        }.sorted { $0.sequence < $1.sequence }
    }
}

/// Path arithmetic without Foundation.
struct NSStringPath {
    let path: String
    var deletingLastComponent: String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
    var lastComponent: String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

func asPath(_ s: String) -> NSStringPath { NSStringPath(path: s) }

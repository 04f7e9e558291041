#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file a Markdown folder import left alone, and why.
public struct SkippedImportFile: Sendable, Equatable, CustomStringConvertible {
    /// The path inside the imported folder, `/`-separated.
    public var path: String
    /// Why it was not read: `a symbolic link out of the folder`, `not a regular file (a FIFO)`, …
    public var reason: String

    /// `billing/huge.md: larger than 1048576 bytes`.
    public var description: String { "\(path): \(reason)" }

    /// A skipped file and its reason.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The Markdown files of a folder that an import may read: what it was pointed at and nothing else.
///
/// - Hidden files and folders (`.git`, `.obsidian`) are not entered, as before.
/// - A symbolic link is followed only to a regular file inside the folder; one that leads out
///   of it (`secrets.md -> /etc/passwd`), to a folder (which could loop), or nowhere is skipped.
/// - Only regular files are read: a FIFO, a device or a socket named `.md` is skipped (reading
///   a FIFO would block the import forever, a device could be endless).
/// - A file over ``maxFileBytes`` is skipped.
///
/// Every `.md`/`.markdown` entry skipped, and every link not followed, is reported. Files are
/// opened with `O_NONBLOCK` and checked again with `fstat` after opening, so a file swapped for
/// a FIFO or grown between the listing and the read is caught there too.
struct MarkdownFolderWalk {
    /// The largest file read, in bytes.
    let maxFileBytes: Int
    /// The folder as given.
    let root: String
    /// The folder with every link resolved: what "inside" means.
    private let resolvedRoot: String

    /// A Markdown file that passed, with its bytes.
    struct File {
        var relativePath: String
        var fullPath: String
        var data: Data
    }

    /// - Throws: ``SupportError/invalidRequest(_:)`` when the folder cannot be resolved.
    init(root: String, maxFileBytes: Int) throws {
        guard let resolved = Self.realPath(root) else { throw SupportError.invalidRequest("\(root): cannot list the folder") }
        self.root = root
        self.resolvedRoot = resolved
        self.maxFileBytes = maxFileBytes
    }

    /// Every readable Markdown file (sorted by relative path) and every entry skipped.
    func run() throws -> (files: [File], skipped: [SkippedImportFile]) {
        var files: [File] = []
        var skipped: [SkippedImportFile] = []
        try walk("", files: &files, skipped: &skipped)
        return (files.sorted { $0.relativePath < $1.relativePath }, skipped.sorted { $0.path < $1.path })
    }

    private func walk(_ relative: String, files: inout [File], skipped: inout [SkippedImportFile]) throws {
        let directory = relative.isEmpty ? root : (root as NSString).appendingPathComponent(relative)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SupportError.invalidRequest("\(directory): cannot list the folder")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = relative.isEmpty ? name : relative + "/" + name
            let full = (root as NSString).appendingPathComponent(path)
            let isMarkdown = ["md", "markdown"].contains((name as NSString).pathExtension.lowercased())
            var info = stat()
            guard lstat(full, &info) == 0 else {
                if isMarkdown { skipped.append(SkippedImportFile(path: path, reason: "cannot be examined (\(String(cString: strerror(errno))))")) }
                continue
            }
            switch info.st_mode & mode_t(S_IFMT) {
            case mode_t(S_IFDIR):
                try walk(path, files: &files, skipped: &skipped)
            case mode_t(S_IFLNK):
                if let reason = linkProblem(full) {
                    skipped.append(SkippedImportFile(path: path, reason: reason))
                } else if isMarkdown {
                    readFile(path, full: full, followLink: true, files: &files, skipped: &skipped)
                }
            case mode_t(S_IFREG):
                if isMarkdown { readFile(path, full: full, followLink: false, files: &files, skipped: &skipped) }
            default:
                if isMarkdown { skipped.append(SkippedImportFile(path: path, reason: "not a regular file (\(Self.kind(info.st_mode)))")) }
            }
        }
    }

    /// Why a link is not followed, or nil for a link to a regular file inside the folder.
    private func linkProblem(_ full: String) -> String? {
        guard let target = Self.realPath(full) else { return "a symbolic link that leads nowhere" }
        guard target == resolvedRoot || target.hasPrefix(resolvedRoot + "/") else {
            return "a symbolic link out of the folder (not followed)"
        }
        var info = stat()
        guard stat(target, &info) == 0 else { return "a symbolic link that leads nowhere" }
        switch info.st_mode & mode_t(S_IFMT) {
        case mode_t(S_IFREG): return nil
        case mode_t(S_IFDIR): return "a symbolic link to a folder (not followed)"
        default: return "a symbolic link to something that is not a regular file (\(Self.kind(info.st_mode)))"
        }
    }

    /// Reads one file if it is (still) a regular file within the size limit.
    private func readFile(_ path: String, full: String, followLink: Bool, files: inout [File], skipped: inout [SkippedImportFile]) {
        let fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLink ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            skipped.append(SkippedImportFile(path: path, reason: "cannot be opened (\(String(cString: strerror(errno))))"))
            return
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else {
            skipped.append(SkippedImportFile(path: path, reason: "not a regular file (\(Self.kind(info.st_mode)))"))
            return
        }
        guard Int(info.st_size) <= maxFileBytes else {
            skipped.append(SkippedImportFile(path: path, reason: "larger than \(maxFileBytes) bytes (\(info.st_size))"))
            return
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else {
                skipped.append(SkippedImportFile(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))"))
                return
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            guard data.count <= maxFileBytes else {
                skipped.append(SkippedImportFile(path: path, reason: "larger than \(maxFileBytes) bytes (it grew while read)"))
                return
            }
        }
        files.append(File(relativePath: path, fullPath: full, data: data))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// What a file type is called in a skip reason.
    private static func kind(_ mode: mode_t) -> String {
        switch mode & mode_t(S_IFMT) {
        case mode_t(S_IFIFO): "a FIFO"
        case mode_t(S_IFCHR): "a character device"
        case mode_t(S_IFBLK): "a block device"
        case mode_t(S_IFSOCK): "a socket"
        case mode_t(S_IFDIR): "a folder"
        case mode_t(S_IFLNK): "a symbolic link"
        default: "of an unknown kind"
        }
    }
}

import Foundation
import Primitives

/// A core's data directory, `DATA/`:
///
///     DATA/LOCK                        held (flock) by the one process using DATA
///     DATA/collections/NAME/           one directory per collection
///         collection.json              its index parameters
///         snapshot-<seq>.ldx           snapshots, named by the last log record they include
///         wal-<first seq>.log          log segments
///
/// Opening takes the lock, so two daemons never share a directory.
public final class DataDirectory: @unchecked Sendable {
    /// The directory's path, as given.
    public let path: String
    private let lockFD: Int32
    /// The fsync policy of the write-ahead logs of collections opened from here.
    public var policy: FsyncPolicy
    /// Snapshots each collection keeps; older ones and the log they covered are deleted.
    public var keepSnapshots: Int
    /// Open a collection even when recovery would give a partial index (every snapshot
    /// rejected, or log records missing after the snapshot) — the operator's explicit
    /// choice (`serve --allow-partial-recovery`); off, such a collection refuses to open.
    public var allowPartialRecovery = false

    /// Opens (creating if needed) `path` and takes its lock.
    /// - Throws: `PersistenceError.locked` when another process holds it.
    public init(path: String, policy: FsyncPolicy = .everysec, keepSnapshots: Int = 2) throws {
        self.path = path
        self.policy = policy
        self.keepSnapshots = keepSnapshots
        try FileIO.makeDirectory(path + "/collections")
        let fd = try FileIO.open(path + "/LOCK", O_RDWR | O_CREAT)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            throw PersistenceError.locked(path: path)
        }
        // The holder's pid, for people reading the file.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        lockFD = fd
    }

    deinit {
        flock(lockFD, LOCK_UN)
        Glibc.close(lockFD)
    }

    /// Collection names are 1–128 characters of letters, digits, `_`, `-` and `.`, not starting with `.`.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...128).contains(name.utf8.count), !name.hasPrefix(".") else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0) }
    }

    /// Where collection `name` lives: `DATA/collections/NAME`.
    public func directory(of name: String) -> String { path + "/collections/" + name }

    /// Names of the collections on disk.
    public func collectionNames() -> [String] {
        FileIO.listDirectory(path + "/collections").filter {
            DataDirectory.isValidName($0) && FileIO.exists(directory(of: $0) + "/" + DurableCollection.metaFile)
        }
    }

    /// Creates a new collection; throws if the name is invalid or taken.
    public func createCollection(_ name: String, parameters: IndexParameters,
                                 extensions: CollectionExtensions = .init()) throws -> DurableCollection {
        guard DataDirectory.isValidName(name) else {
            throw IndexError.invalidParameter(name: "collection name", value: name, reason: "use 1-128 letters, digits, _ - . (not starting with .)")
        }
        guard !FileIO.exists(directory(of: name) + "/" + DurableCollection.metaFile) else {
            throw IndexError.invalidParameter(name: "collection name", value: name, reason: "a collection with this name exists")
        }
        return try DurableCollection.create(name: name, directory: directory(of: name), parameters: parameters,
                                            policy: policy, keepSnapshots: keepSnapshots, extensions: extensions)
    }

    /// Recovers an existing collection (newest good snapshot, then its log).
    /// - Throws: ``PersistenceError/partialRecovery(directory:reason:)`` when that would
    ///   serve a partial index and ``allowPartialRecovery`` is off.
    public func openCollection(_ name: String, extensions: CollectionExtensions = .init()) throws
        -> (DurableCollection, RecoveryReport)
    {
        try DurableCollection.open(name: name, directory: directory(of: name), policy: policy,
                                   keepSnapshots: keepSnapshots, extensions: extensions, allowPartial: allowPartialRecovery)
    }

    /// Removes a collection's directory (after moving it aside, so a crash leaves no half-deleted collection).
    public func dropCollection(_ name: String) throws {
        let dir = directory(of: name)
        guard FileIO.exists(dir) else { throw IndexError.invalidParameter(name: "collection", value: name, reason: "no such collection") }
        let trash = path + "/collections/.dropped-\(name)-\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000))"
        try FileIO.rename(dir, trash)
        try FileIO.fsyncDirectory(path + "/collections")
        try? FileManager.default.removeItem(atPath: trash)
    }

    /// Installs a snapshot file as the newest state of its collection (ops' `restore`).
    ///
    /// The file is verified first. The collection's existing snapshots and log
    /// are moved into `DATA/collections/.replaced-NAME-<time>/` (kept, not
    /// deleted), then the snapshot is copied in with its parameters.
    /// - Returns: the collection's name and the installed snapshot's path.
    @discardableResult
    public func restore(snapshot file: String, as name: String? = nil) throws -> (collection: String, path: String) {
        let info = try SnapshotVerifier.verify(path: file)
        let target = name ?? info.collection
        guard DataDirectory.isValidName(target) else {
            throw IndexError.invalidParameter(name: "collection name", value: target, reason: "not a valid name; pass --collection")
        }
        let dir = directory(of: target)
        if FileIO.exists(dir) {
            let aside = path + "/collections/.replaced-\(target)-\(UInt64(Date().timeIntervalSince1970 * 1000))"
            try FileIO.rename(dir, aside)
        }
        try FileIO.makeDirectory(dir)
        try writeAtomically(dir + "/" + DurableCollection.metaFile, try JSONEncoder().encode(info.parameters))
        let dest = dir + "/" + DurableCollection.snapshotName(walSequence: info.walSequence)
        let tmp = dest + ".tmp"
        try? FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.copyItem(atPath: file, toPath: tmp)
        let fd = try FileIO.open(tmp, O_RDONLY)
        try FileIO.fsync(fd, path: tmp)
        Glibc.close(fd)
        try FileIO.rename(tmp, dest)
        try FileIO.fsyncDirectory(dir)
        try FileIO.fsyncDirectory(path + "/collections")
        return (target, dest)
    }
}

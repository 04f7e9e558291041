import ArgumentParser
import CoreServer
import Foundation
import VectorIndex

/// `loopdesk-core snapshot`: snapshot every collection of a data directory
/// (the daemon must not be running on it), or ask a running daemon to.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Write a snapshot of every collection and print each snapshot's path."
    )

    @Option(help: "Data directory to snapshot directly (takes its lock).") var data: String?
    @Option(help: "Socket of a running loopdesk-core to ask instead.") var socket: String?
    @Option(help: "Only this collection.") var collection: String?
    @Option(help: "Snapshots to keep per collection.") var keep: Int = 2

    func validate() throws {
        guard (data == nil) != (socket == nil) else { throw ValidationError("give exactly one of --data or --socket") }
    }

    func run() throws {
        if let socket {
            try SnapshotViaSocket.run(socket: socket, collection: collection)
            return
        }
        guard let data else { throw ValidationError("give exactly one of --data or --socket") }
        let dir = try DataDirectory(path: data, keepSnapshots: keep)
        let names = collection.map { [$0] } ?? dir.collectionNames()
        if names.isEmpty { print("no collections in \(data)") }
        for name in names {
            // Opened as `serve` opens it, so the ranker's state rides in the snapshot.
            let c = try OfflineCollection(dir, name: name)
            let path = try c.snapshot()
            try c.close()
            print(path)
        }
    }
}

/// `loopdesk-core verify FILE|DIR`: checks every checksum, like `redis-check-rdb`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum of a snapshot or a write-ahead-log segment (told apart by their magic bytes, whatever the file is called), or of every one in a data directory; exit 1 on damage or on a file that is neither."
    )

    @Argument(help: "A .ldx snapshot, a wal-*.log segment, a collection directory or a data directory.") var path: String

    func run() throws {
        var damaged = 0
        var checked = 0
        for file in Self.files(under: path) {
            checked += 1
            do {
                try Self.verify(file)
            } catch {
                damaged += 1
                print("DAMAGED  \(error)")
            }
        }
        print("\(checked) file(s) checked, \(damaged) damaged")
        if checked == 0 { throw ValidationError("no snapshots or log segments under \(path)") }
        if damaged > 0 { throw ExitCode(1) }
    }

    /// Verifies one file as what its first bytes say it is — a snapshot or a log
    /// segment — whatever its name; anything else is an error.
    static func verify(_ file: String) throws {
        switch try PersistentFileKind.detect(path: file) {
        case .snapshot:
            let info = try SnapshotVerifier.verify(path: file)
            print("ok       \(file): snapshot of collection \(info.collection), \(info.liveCount) vectors (\(info.deletedCount) deleted), \(info.sections.count) sections, log up to \(info.walSequence)")
        case .logSegment:
            let report = try WALReader.verifySegment(path: file)
            if let torn = report.tornTail {
                print("torn     \(file): log segment, \(report.records) good records up to \(report.lastSequence); torn last record at byte \(torn.offset) (\(torn.reason)) — recovery trims it")
            } else {
                print("ok       \(file): log segment, \(report.records) records, last sequence \(report.lastSequence)")
            }
        }
    }

    static func files(under path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        if !isDir.boolValue { return [path] }
        let all = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        return all.filter { name in
            let base = (name as NSString).lastPathComponent
            return !name.contains("/.") && (base.hasSuffix(".ldx") || (base.hasPrefix("wal-") && base.hasSuffix(".log")))
        }.sorted().map { path + "/" + $0 }
    }
}

/// `loopdesk-core inspect FILE`: a snapshot's header and sections.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a snapshot's header and section table (checks the header only; use verify for the rest)."
    )

    @Argument(help: "A .ldx snapshot.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let info = try SnapshotInfo.read(path: file)
        let p = info.parameters
        if json {
            let out: [String: Any] = [
                "path": info.path, "format_version": "\(info.majorVersion).\(info.minorVersion)",
                "collection": info.collection, "metric": p.metric.rawValue, "dimension": p.dimension, "M": p.M,
                "ef_construction": p.efConstruction, "ef_search": p.efSearch, "storage": p.storage.rawValue,
                "keep_full_precision": p.keepFullPrecision, "slots": info.slotCount, "live": info.liveCount,
                "deleted": info.deletedCount, "wal_sequence": info.walSequence, "created_ms": info.createdMillis,
                "file_bytes": info.fileBytes,
                "sections": info.sections.map { ["type": $0.type, "name": $0.name, "offset": $0.offset, "length": $0.length,
                                                 "crc32c": String(format: "%08x", $0.crc), "optional": $0.flags & 1 != 0] },
            ]
            let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let created = Date(timeIntervalSince1970: Double(info.createdMillis) / 1000)
        print("""
        file         \(info.path) (\(info.fileBytes) bytes)
        format       \(info.majorVersion).\(info.minorVersion)
        collection   \(info.collection)
        created      \(created)
        metric       \(p.metric.rawValue), dimension \(p.dimension), storage \(p.storage.rawValue)\(p.hasSeparateFullPrecision ? " + f32 copies" : "")
        HNSW         M \(p.M), efConstruction \(p.efConstruction), efSearch \(p.efSearch), seed \(p.seed)
        vectors      \(info.liveCount) live, \(info.deletedCount) deleted, \(info.slotCount) slots
        log          includes records up to \(info.walSequence)
        sections
        """)
        for s in info.sections {
            print(String(format: "  %-14@ type %3u  offset %12d  length %12d  crc32c %08x%@",
                         s.name as NSString, s.type, s.offset, s.length, s.crc, s.flags & 1 != 0 ? "  (optional)" : ""))
        }
    }
}

/// `loopdesk-core restore FILE --data DIR`: install a snapshot as a collection's state.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Verify a snapshot and install it as its collection's newest state in a data directory (the daemon must be stopped)."
    )

    @Argument(help: "A .ldx snapshot.") var file: String
    @Option(help: "Data directory to restore into.") var data: String
    @Option(help: "Collection name (default: the one in the snapshot).") var collection: String?

    func run() throws {
        let dir = try DataDirectory(path: data)
        let result = try dir.restore(snapshot: file, as: collection)
        print("restored \(file) as collection \(result.collection): \(result.path)")
    }
}

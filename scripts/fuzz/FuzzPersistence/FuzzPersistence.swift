// libFuzzer target for the index's file readers: a write-ahead-log segment
// and a snapshot, fed whatever bytes the fuzzer makes. Built by
// scripts/fuzz-persistence.sh (`LOOPDESK_FUZZ=1 swift build --sanitize=fuzzer
// --sanitize=address`), never in CI. The first input byte picks the reader;
// the rest is the file, written once per execution to a path under /dev/shm.
//
// Checked on every input, besides "never crashes, never reads out of bounds,
// never allocates more than the input justifies":
// 1. Telling the file's kind by its magic agrees with the reader that accepts it.
// 2. A segment that verifies replays the same records through recovery's reader
//    (named as a real segment), with the same count and last sequence.
// 3. A snapshot that verifies also loads, with the live count its header states.

import Foundation
import VectorIndex

private let scratch: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = base + "/loopdesk-fuzz-\(getpid())"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPersistence(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Data(bytes: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        checkSegment(body)
    } else {
        checkSnapshot(body)
    }
    return 0
}

private func write(_ body: Data, to path: String) {
    FileManager.default.createFile(atPath: path, contents: body)
}

private func checkSegment(_ body: Data) {
    let path = scratch + "/segment.bin"
    write(body, to: path)
    let kind = try? PersistentFileKind.detect(path: path)
    guard let report = try? WALReader.verifySegment(path: path) else { return }
    precondition(kind == .logSegment, "a file that verifies as a segment was detected as \(String(describing: kind))")
    // Recovery's reader, on the same bytes under a segment's name.
    let directory = scratch + "/collection"
    try? FileManager.default.removeItem(atPath: directory)
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let first = body.count >= 24 ? body[body.startIndex + 16..<body.startIndex + 24].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } : 0
    write(body, to: directory + "/" + WriteAheadLog.segmentName(first: UInt64(littleEndian: first)))
    var replayed = 0
    guard let replay = try? WALReader.replay(directory: directory, after: 0, repair: false, { _ in replayed += 1 }) else {
        preconditionFailure("a segment that verifies fails replay")
    }
    precondition(replayed == report.records && replay.records == report.records, "replay saw \(replayed) records, verify \(report.records)")
    precondition(replay.lastSequence == report.lastSequence, "replay and verify disagree on the last sequence")
}

private func checkSnapshot(_ body: Data) {
    let path = scratch + "/snapshot.ldx"
    write(body, to: path)
    let kind = try? PersistentFileKind.detect(path: path)
    guard let info = try? SnapshotVerifier.verify(path: path) else { return }
    precondition(kind == .snapshot, "a file that verifies as a snapshot was detected as \(String(describing: kind))")
    guard let (index, _, _) = try? HNSWIndex.load(path: path, mode: .full) else { return }
    precondition(index.count == info.liveCount, "loaded \(index.count) vectors, the header says \(info.liveCount)")
}

/// Seeds, written when LOOPDESK_FUZZ_SEEDS names a folder: a real snapshot and a real
/// log segment (upserts with groups and tags, a delete), each behind its selector byte.
@_cdecl("LLVMFuzzerInitialize")
public func writeSeedsIfAsked(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let seeds = ProcessInfo.processInfo.environment["LOOPDESK_FUZZ_SEEDS"] else { return 0 }
    let directory = scratch + "/seed-data"
    try? FileManager.default.removeItem(atPath: directory)
    for (metric, storage) in [(Metric.l2, VectorStorage.f32), (.innerProduct, .f16), (.cosine, .int8)] {
        let data = try! DataDirectory(path: directory, policy: .always)
        let name = "c\(storage)"
        let c = try! data.createCollection(name, parameters: IndexParameters(dimension: 4, metric: metric, storage: storage))
        try! c.upsert((1...6).map { UpsertItem(id: UInt64($0), group: UInt64($0 % 2), tags: ["t\($0)"], vector: [Float($0), 1, 2, 3]) })
        let snapshot = try! c.snapshot().path
        try! c.upsert([UpsertItem(id: 9, vector: [9, 1, 2, 3])])
        try! c.delete(ids: [2])
        let segment = WALReader.segments(in: c.directory).last!.path
        try! c.close()
        FileManager.default.createFile(atPath: "\(seeds)/snapshot-\(storage)", contents: Data([1]) + FileManager.default.contents(atPath: snapshot)!)
        FileManager.default.createFile(atPath: "\(seeds)/segment-\(storage)", contents: Data([0]) + FileManager.default.contents(atPath: segment)!)
    }
    return 0
}

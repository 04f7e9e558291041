import ArgumentParser
import Foundation
import VectorIndex

/// `loopdesk-core crash-writer`: the victim of scripts/crash-test.sh.
///
/// Opens (recovering) a collection under `appendfsync always`, then inserts and
/// deletes forever, printing `+ID` after each acknowledged insert and `-ID`
/// after each acknowledged delete, and a snapshot now and then. With
/// `--check FILE` it instead verifies, after a crash, that every id the log
/// FILE says was acknowledged is in the expected state.
struct CrashWriter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Crash-test helper: write and acknowledge forever, or check a recovered directory.",
        shouldDisplay: false
    )

    @Option(help: "Data directory.") var data: String
    @Option(help: "Check the recovered state against this acknowledgement log and exit.") var check: String?
    @Option(help: "Random seed of this run (ids do not repeat across runs).") var seed: UInt64 = 1
    @Option(help: "Dimension of the vectors.") var dimension: Int = 32

    static func vector(for id: UInt64, dimension: Int) -> [Float] {
        var x = id &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<dimension).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return Float(Int64(bitPattern: x % 2001) - 1000) / 1000 + 0.001
        }
    }

    func run() throws {
        let dir = try DataDirectory(path: data, policy: .always, keepSnapshots: 2)
        let collection: DurableCollection
        if dir.collectionNames().contains("crash") {
            collection = try dir.openCollection("crash").0
        } else {
            collection = try dir.createCollection("crash", parameters: IndexParameters(dimension: dimension, metric: .l2, M: 8, efConstruction: 40))
        }
        if let check {
            try verify(collection, log: check)
            return
        }
        var rng = SystemRandomNumberGenerator()
        var live: [UInt64] = []
        var next = seed << 32
        var ops = 0
        while true {
            ops += 1
            if !live.isEmpty && Int.random(in: 0..<4, using: &rng) == 0 {
                let at = Int.random(in: 0..<live.count, using: &rng)
                let id = live.remove(at: at)
                emit("?-\(id)")
                try collection.delete(ids: [id])
                emit("-\(id)")
            } else {
                next += 1
                let batch = Int.random(in: 1...3, using: &rng)
                let ids = (0..<UInt64(batch)).map { next + $0 }
                next += UInt64(batch)
                emit("?+" + ids.map(String.init).joined(separator: ","))
                try collection.upsert(ids.map { UpsertItem(id: $0, vector: CrashWriter.vector(for: $0, dimension: dimension)) })
                emit("+" + ids.map(String.init).joined(separator: ","))
                live += ids
            }
            if ops % 200 == 0 { try collection.snapshot() }
        }
    }

    /// Writes a line straight to fd 1, unbuffered, so a kill -9 loses no acknowledged line.
    private func emit(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = write(1, buf.baseAddress! + done, buf.count - done)
                if n <= 0 { break }
                done += n
            }
        }
    }

    /// Every acknowledged insert is present with its exact vector, every
    /// acknowledged delete is absent; an unacknowledged batch is all or nothing.
    private func verify(_ c: DurableCollection, log: String) throws {
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        var expectPresent = Set<UInt64>(), expectAbsent = Set<UInt64>()
        // Changes a crash interrupted before their acknowledgement: applied entirely or not at all.
        var interruptedInserts: [[UInt64]] = []
        var interruptedDeletes = Set<UInt64>()
        var pending: (insert: Bool, ids: [UInt64])? = nil
        func interrupt() {
            guard let p = pending else { return }
            if p.insert { interruptedInserts.append(p.ids) } else { interruptedDeletes.formUnion(p.ids) }
            pending = nil
        }
        for line in lines {
            let isPending = line.hasPrefix("?")
            let body = isPending ? line.dropFirst() : line[...]
            guard let sign = body.first, sign == "+" || sign == "-" else { continue }
            let ids = body.dropFirst().split(separator: ",").compactMap { UInt64($0) }
            if isPending {
                interrupt()
                pending = (sign == "+", ids)
            } else {
                pending = nil
                for id in ids {
                    if sign == "+" { expectPresent.insert(id); expectAbsent.remove(id) } else { expectAbsent.insert(id); expectPresent.remove(id) }
                }
            }
        }
        interrupt()
        expectPresent.subtract(interruptedDeletes)
        var problems: [String] = []
        for id in expectPresent {
            guard let got = c.index.get(id: id) else { problems.append("acknowledged insert \(id) is missing"); continue }
            if got.vector != CrashWriter.vector(for: id, dimension: c.index.parameters.dimension) {
                problems.append("insert \(id) has a different vector")
            }
        }
        for id in expectAbsent where c.index.contains(id: id) { problems.append("acknowledged delete \(id) is present") }
        for batch in interruptedInserts {
            let present = batch.filter { c.index.contains(id: $0) }.count
            if present != 0 && present != batch.count {
                problems.append("unacknowledged batch \(batch) is half-applied (\(present) of \(batch.count))")
            }
        }
        let known = expectPresent.union(interruptedInserts.joined()).union(interruptedDeletes)
        let extra = c.index.ids.filter { !known.contains($0) }
        if !extra.isEmpty { problems.append("\(extra.count) ids present that were never written or were deleted, e.g. \(extra.prefix(3))") }
        if problems.isEmpty {
            print("ok: \(expectPresent.count) acknowledged inserts present, \(expectAbsent.count) acknowledged deletes absent, \(c.index.count) vectors")
        } else {
            for p in problems.prefix(20) { print("FAIL: \(p)") }
            throw ExitCode(1)
        }
    }
}

import Ranking
import XCTest

/// RankerState-coding.swift and FeedbackRecord.swift: bytes that give back
/// the same scores, and a log that replays to the same state bit for bit.
final class StateCodingTests: XCTestCase {
    /// Drives `ranker` through `events` rank + feedback rounds of every outcome kind.
    private func drive(_ ranker: Ranker, _ world: inout SyntheticWorld, events: Int) throws {
        for i in 0..<events {
            let request = world.nextRequest(k: 4)
            let r = try ranker.rank(request)
            let g = r.groups[0].groupID
            func send(_ o: Outcome, _ group: UInt64? = nil) throws {
                try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: group ?? g, outcome: o, time: request.now))
            }
            switch i % 6 {
            case 0: try send(.resolved); try send(.csat(4))
            case 1: try send(.escalated)
            case 2: try send(.corrected(groupUsedInstead: r.groups[1].groupID))
            case 3: try send(.resolved); try send(.reopened)
            case 4: try send(.corrected(groupUsedInstead: nil))
            default: break      // no feedback: the impression stays open
            }
        }
    }

    func testEncodeDecodeGivesIdenticalScores() throws {
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.1
        configuration.posterior.refactorInterval = 100
        let ranker = try Ranker(configuration: configuration)
        var world = SyntheticWorld(seed: 31)
        try drive(ranker, &world, events: 600)
        let bytes = ranker.encodeState()
        let restored = try Ranker(decoding: bytes)
        XCTAssertEqual(restored.encodeState(), bytes)
        XCTAssertEqual(restored.configuration, configuration)
        XCTAssertEqual(restored.stats(), ranker.stats())
        for _ in 0..<50 {
            let request = world.nextRequest()
            XCTAssertEqual(try restored.rank(request), try ranker.rank(request))
        }
    }

    func testReplayingTheLogFromASnapshotReproducesTheStateBitForBit() throws {
        let log = RecordLog()
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.05
        configuration.posterior.refactorInterval = 64
        configuration.maxImpressions = 300
        let live = try Ranker(configuration: configuration, journal: log.append)
        var world = SyntheticWorld(seed: 32)
        try drive(live, &world, events: 400)
        let snapshot = live.encodeState()
        log.clear()
        try drive(live, &world, events: 700)
        let records = log.records
        XCTAssertGreaterThan(records.count, 1_000)

        let replayed = try Ranker(decoding: snapshot)
        for bytes in records { try replayed.apply(RankingLogRecord(decoding: bytes)) }
        XCTAssertEqual(replayed.encodeState(), live.encodeState())
    }

    func testFeedbackRecordsRoundTrip() throws {
        for outcome: Outcome in [.resolved, .escalated, .corrected(groupUsedInstead: 42), .corrected(groupUsedInstead: nil),
                                 .csat(1), .csat(5), .reopened] {
            let record = FeedbackRecord(impressionID: 0xDEAD_BEEF_0000_0001, groupID: 7, outcome: outcome, time: 1.5e9)
            let bytes = record.encode()
            XCTAssertLessThanOrEqual(bytes.count, 35)
            XCTAssertEqual(try FeedbackRecord(decoding: bytes), record)
            XCTAssertEqual(try RankingLogRecord(decoding: RankingLogRecord.feedback(record).encode()), .feedback(record))
        }
        let bytes = FeedbackRecord(impressionID: 1, groupID: 2, outcome: .resolved, time: 0).encode()
        XCTAssertEqual(Array(bytes[1..<9]), [1, 0, 0, 0, 0, 0, 0, 0], "little-endian")
        var bad = bytes
        bad[25] = 9
        XCTAssertThrowsError(try FeedbackRecord(decoding: bad)) {
            XCTAssertEqual($0 as? RankingDecodingError, .invalidValue(field: "feedback.outcome", value: "9", offset: 25))
        }
        XCTAssertThrowsError(try FeedbackRecord(decoding: Array(bytes.dropLast()))) {
            XCTAssertEqual($0 as? RankingDecodingError, .truncated(field: "feedback.outcome", offset: 25, needed: 1, available: 0))
        }
        XCTAssertThrowsError(try FeedbackRecord(decoding: bytes + [0])) {
            XCTAssertEqual($0 as? RankingDecodingError, .trailingBytes(count: 1))
        }
    }

    func testDamagedStateIsRefusedPrecisely() throws {
        let ranker = try Ranker()
        var world = SyntheticWorld(seed: 33)
        try drive(ranker, &world, events: 30)
        let bytes = ranker.encodeState()
        XCTAssertThrowsError(try Ranker(decoding: Array("NOPE".utf8) + bytes.dropFirst(4))) {
            guard case .badMagic(expected: "LDRK", _)? = $0 as? RankingDecodingError else { return XCTFail("\($0)") }
        }
        var newer = bytes
        newer[4] = 9
        XCTAssertThrowsError(try Ranker(decoding: newer)) {
            XCTAssertEqual($0 as? RankingDecodingError, .unsupportedVersion(found: 9, supported: 1))
        }
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            XCTAssertThrowsError(try Ranker(decoding: Array(bytes[..<cut])), "prefix of \(cut) bytes") {
                XCTAssertNotNil($0 as? RankingDecodingError, "\($0)")
            }
        }
    }
}

/// Collects journal records as bytes, from any thread.
final class RecordLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[UInt8]] = []

    var append: RankingJournal {
        { [self] record in
            let bytes = record.encode()
            lock.lock(); stored.append(bytes); lock.unlock()
        }
    }
    var records: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return stored }
    func clear() { lock.lock(); stored.removeAll(); lock.unlock() }
}

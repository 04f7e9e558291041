import Dispatch
import Ranking
import XCTest

/// Ranker.swift's thread-safety model: many rankings and feedbacks at once,
/// with the journal seeing them in the order they were applied.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentRankAndFeedbackReplayToTheSameState() throws {
        let log = RecordLog()
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.1
        let ranker = try Ranker(configuration: configuration, journal: log.append)
        let initial = ranker.encodeState()
        let threads = 8, perThread = 400
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var world = SyntheticWorld(seed: UInt64(100 + t))
            for i in 0..<perThread {
                let request = world.nextRequest(k: 3)
                do {
                    let r = try ranker.rank(request)
                    if t % 2 == 0 || i % 3 == 0 {
                        try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID,
                                                           outcome: i % 2 == 0 ? .resolved : .escalated, time: request.now))
                    }
                } catch {
                    failures.add()
                }
            }
        }
        XCTAssertEqual(failures.value, 0)
        let stats = ranker.stats()
        XCTAssertEqual(stats.impressionsIssued, UInt64(threads * perThread))
        XCTAssertEqual(log.records.count, threads * perThread + Int(stats.updates))

        let replayed = try Ranker(decoding: initial)
        for bytes in log.records { try replayed.apply(RankingLogRecord(decoding: bytes)) }
        XCTAssertEqual(replayed.encodeState(), ranker.encodeState())
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

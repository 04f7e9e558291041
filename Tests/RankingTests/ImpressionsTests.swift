import Ranking
import XCTest

/// Impressions.swift: a bounded store, with expired told apart from unknown.
final class ImpressionsTests: XCTestCase {
    let request = RankRequest(hits: [CandidateHit(vectorID: 1, groupID: 5, similarity: 0.7, isAlias: false)], k: 1, now: 100)

    func testOldestImpressionsAreEvictedByCount() throws {
        var configuration = RankerConfiguration()
        configuration.maxImpressions = 3
        let ranker = try Ranker(configuration: configuration)
        let ids = try (0..<5).map { _ in try ranker.rank(request).impressionID }
        XCTAssertEqual(ids, [1, 2, 3, 4, 5])
        XCTAssertEqual(ranker.stats().liveImpressions, 3)
        XCTAssertThrowsError(try ranker.feedback(FeedbackRecord(impressionID: 2, groupID: 5, outcome: .resolved, time: 100))) {
            XCTAssertEqual($0 as? RankingError, .expiredImpression(id: 2, age: nil, maxAge: configuration.maxImpressionAge))
            XCTAssertTrue("\($0)".contains("evicted"))
        }
        XCTAssertThrowsError(try ranker.feedback(FeedbackRecord(impressionID: 6, groupID: 5, outcome: .resolved, time: 100))) {
            XCTAssertEqual($0 as? RankingError, .unknownImpression(id: 6, newestIssued: 5))
        }
        XCTAssertNoThrow(try ranker.feedback(FeedbackRecord(impressionID: 3, groupID: 5, outcome: .resolved, time: 100)))
    }

    func testImpressionsExpireByAge() throws {
        var configuration = RankerConfiguration()
        configuration.maxImpressionAge = 60
        let ranker = try Ranker(configuration: configuration)
        let first = try ranker.rank(request).impressionID
        XCTAssertThrowsError(try ranker.feedback(FeedbackRecord(impressionID: first, groupID: 5, outcome: .resolved, time: 161))) {
            XCTAssertEqual($0 as? RankingError, .expiredImpression(id: first, age: 61, maxAge: 60))
        }
        var later = request
        later.now = 200
        _ = try ranker.rank(later)
        XCTAssertEqual(ranker.stats().liveImpressions, 1, "a newer impression evicts the ones older than maxAge")
    }

    /// Across many chunks of the store (512 impressions each): every live impression is
    /// found and takes its feedback, every evicted one is told apart, and a state copied
    /// before more rankings and feedback encodes as it was when copied.
    func testEvictionAndLookupAcrossChunksAndACopyStaysAsTaken() throws {
        var configuration = RankerConfiguration()
        configuration.maxImpressions = 1_300
        let ranker = try Ranker(configuration: configuration)
        let ids = try (0..<2_000).map { _ in try ranker.rank(request).impressionID }
        XCTAssertEqual(ids, (1...2_000).map(UInt64.init))
        XCTAssertEqual(ranker.stats().liveImpressions, 1_300)
        let copy = ranker.copyState(), bytesAtCopy = ranker.encodeState()

        for id in [1, 511, 512, 513, 700] as [UInt64] {
            XCTAssertThrowsError(try ranker.feedback(FeedbackRecord(impressionID: id, groupID: 5, outcome: .resolved, time: 100))) {
                XCTAssertEqual($0 as? RankingError, .expiredImpression(id: id, age: nil, maxAge: configuration.maxImpressionAge), "id \(id)")
            }
        }
        // The oldest live one (in a chunk mostly evicted), chunk edges, the newest.
        for id in [701, 1_023, 1_024, 1_025, 1_536, 2_000] as [UInt64] {
            XCTAssertNoThrow(try ranker.feedback(FeedbackRecord(impressionID: id, groupID: 5, outcome: .resolved, time: 100)), "id \(id)")
            XCTAssertThrowsError(try ranker.feedback(FeedbackRecord(impressionID: id, groupID: 5, outcome: .resolved, time: 100))) {
                XCTAssertEqual($0 as? RankingError, .outcomeAlreadyRecorded(impression: id, group: 5, previous: "resolved"),
                               "the outcome was stored in place: id \(id)")
            }
        }
        _ = try (0..<600).map { _ in try ranker.rank(request) }
        XCTAssertEqual(ranker.stats().liveImpressions, 1_300)
        XCTAssertEqual(copy.encode(), bytesAtCopy, "the copy is the state as it was copied")
        XCTAssertNotEqual(ranker.encodeState(), bytesAtCopy)
        // And the state round-trips through its encoding, chunks and all.
        XCTAssertEqual(try Ranker(decoding: ranker.encodeState()).encodeState(), ranker.encodeState())
    }

    func testImpossibleConfigurationIsRefused() {
        var configuration = RankerConfiguration()
        configuration.maxImpressions = 0
        XCTAssertThrowsError(try Ranker(configuration: configuration)) {
            XCTAssertEqual($0 as? RankingError, .invalidConfiguration(field: "maxImpressions", value: "0", reason: "must be ≥ 1"))
        }
    }
}

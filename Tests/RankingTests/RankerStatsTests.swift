import Foundation
import Ranking
import XCTest

/// RankerStats.swift: what STATS serves, as JSON.
final class RankerStatsTests: XCTestCase {
    func testStatsNameEveryWeightAndEncodeAsJSON() throws {
        let ranker = try Ranker()
        var world = SyntheticWorld(seed: 61)
        for i in 0..<100 {
            let request = world.nextRequest(k: 2)
            let r = try ranker.rank(request)
            try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID,
                                               outcome: i % 3 == 0 ? .escalated : .resolved, time: request.now))
        }
        let stats = ranker.stats()
        XCTAssertEqual(stats.features.map(\.name), FeatureSchema.names)
        XCTAssertEqual(stats.features.map(\.weight), ranker.weights)
        XCTAssertEqual(stats.features[0].mean, 1, "the bias feature is always 1")
        XCTAssertEqual(stats.updates, 100)
        XCTAssertEqual(stats.feedback["escalated"], 34)
        XCTAssertEqual(stats.impressionsIssued, 100)
        let json = try JSONEncoder().encode(stats)
        XCTAssertEqual(try JSONDecoder().decode(RankerStats.self, from: json), stats)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"best_similarity\""))
    }

    func testLearningOffRecordsOutcomesButKeepsTheWeights() throws {
        var configuration = RankerConfiguration()
        configuration.learningEnabled = false
        let ranker = try Ranker(configuration: configuration)
        let before = ranker.weights
        var world = SyntheticWorld(seed: 62)
        let request = world.nextRequest(k: 2)
        let r = try ranker.rank(request)
        try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID, outcome: .resolved, time: request.now))
        try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID, outcome: .reopened, time: request.now))
        XCTAssertEqual(ranker.weights, before)
        XCTAssertEqual(ranker.history(of: r.groups[0].groupID), OutcomeHistory(successes: 0, failures: 1))
        XCTAssertEqual(ranker.stats().updates, 2)
    }
}

import Ranking
import XCTest

/// Outcome.swift and Ranker-feedback.swift: the outcome table, reopen, and
/// feedback streams that try to break the learner.
final class OutcomeTests: XCTestCase {
    /// A ranker that has learned a little, its impression for `request`, and the state bytes.
    private func trainedRanker(seed: UInt64) throws -> (bytes: [UInt8], request: RankRequest) {
        var world = SyntheticWorld(seed: seed)
        let ranker = try Ranker()
        for _ in 0..<2_000 {
            let request = world.nextRequest()
            let r = try ranker.rank(request)
            try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID,
                                               outcome: world.resolves(r.groups[0].features) ? .resolved : .escalated,
                                               time: request.now))
        }
        return (ranker.encodeState(), world.nextRequest())
    }

    func testResolveThenReopenIsNoMoreConfidentThanEscalation() throws {
        let (bytes, request) = try trainedRanker(seed: 5)
        let reopened = try Ranker(decoding: bytes), escalated = try Ranker(decoding: bytes)
        let a = try reopened.rank(request), b = try escalated.rank(request)
        XCTAssertEqual(a, b)
        let group = a.groups[0].groupID, x = a.groups[0].features
        let before = try reopened.score(features: x)

        let resolvedEffect = try reopened.feedback(FeedbackRecord(impressionID: a.impressionID, groupID: group, outcome: .resolved, time: request.now))
        XCTAssertGreaterThan(resolvedEffect.rescored[0].score.probability, before.probability, "resolved raises confidence")
        try reopened.feedback(FeedbackRecord(impressionID: a.impressionID, groupID: group, outcome: .reopened, time: request.now))
        try escalated.feedback(FeedbackRecord(impressionID: b.impressionID, groupID: group, outcome: .escalated, time: request.now))

        let afterReopen = try reopened.score(features: x), afterEscalation = try escalated.score(features: x)
        XCTAssertLessThanOrEqual(afterReopen.probability, afterEscalation.probability)
        XCTAssertLessThanOrEqual(afterReopen.lower, afterEscalation.lower)
        XCTAssertLessThanOrEqual(afterReopen.upper, afterEscalation.upper)
        XCTAssertEqual(afterReopen, afterEscalation, "with nothing in between, the reopen is exactly an escalation")
        XCTAssertEqual(reopened.history(of: group), escalated.history(of: group))
        XCTAssertEqual(reopened.weights, escalated.weights)
    }

    func testReopenAfterOtherFeedbackStillTakesTheCreditBack() throws {
        let (bytes, request) = try trainedRanker(seed: 6)
        let reopened = try Ranker(decoding: bytes), escalated = try Ranker(decoding: bytes)
        let a = try reopened.rank(request), b = try escalated.rank(request)
        let group = a.groups[0].groupID, x = a.groups[0].features
        try reopened.feedback(FeedbackRecord(impressionID: a.impressionID, groupID: group, outcome: .resolved, time: request.now))
        try escalated.feedback(FeedbackRecord(impressionID: b.impressionID, groupID: group, outcome: .escalated, time: request.now))
        // The same other outcomes reach both rankers before the reopen.
        var world = SyntheticWorld(seed: 99)
        for _ in 0..<200 {
            let r = world.nextRequest()
            for ranker in [reopened, escalated] {
                let shown = try ranker.rank(r)
                try ranker.feedback(FeedbackRecord(impressionID: shown.impressionID, groupID: shown.groupID0,
                                                   outcome: .resolved, time: r.now))
            }
        }
        try reopened.feedback(FeedbackRecord(impressionID: a.impressionID, groupID: group, outcome: .reopened, time: request.now))
        let afterReopen = try reopened.score(features: x), afterEscalation = try escalated.score(features: x)
        XCTAssertLessThanOrEqual(afterReopen.probability, afterEscalation.probability + 1e-3)
        XCTAssertLessThanOrEqual(afterReopen.lower, afterEscalation.lower + 1e-3)
        XCTAssertEqual(reopened.history(of: group), escalated.history(of: group))
    }

    func testOutcomeRulesAreEnforcedWithPreciseErrors() throws {
        let ranker = try Ranker()
        var world = SyntheticWorld(seed: 8)
        let request = world.nextRequest(k: 3)
        let r = try ranker.rank(request)
        let (id, g0, g1) = (r.impressionID, r.groups[0].groupID, r.groups[1].groupID)
        func send(_ group: UInt64, _ outcome: Outcome, impression: UInt64? = nil) throws {
            try ranker.feedback(FeedbackRecord(impressionID: impression ?? id, groupID: group, outcome: outcome, time: request.now))
        }
        XCTAssertThrowsError(try send(g0, .reopened)) {
            XCTAssertEqual($0 as? RankingError, .nothingToReopen(impression: id, group: g0, state: "none"))
        }
        XCTAssertThrowsError(try send(12345, .resolved)) {
            XCTAssertEqual($0 as? RankingError, .groupNotInImpression(impression: id, group: 12345, shown: r.groups.map(\.groupID)))
        }
        XCTAssertThrowsError(try send(g0, .resolved, impression: 77)) {
            XCTAssertEqual($0 as? RankingError, .unknownImpression(id: 77, newestIssued: id))
        }
        XCTAssertThrowsError(try send(g0, .csat(6))) { XCTAssertEqual($0 as? RankingError, .csatOutOfRange(6)) }
        XCTAssertEqual(ranker.stats().updates, 0, "refused feedback changes nothing")

        try send(g0, .resolved)
        XCTAssertThrowsError(try send(g0, .resolved)) {
            XCTAssertEqual($0 as? RankingError, .outcomeAlreadyRecorded(impression: id, group: g0, previous: "resolved"))
        }
        XCTAssertThrowsError(try send(g0, .escalated)) {
            XCTAssertEqual($0 as? RankingError, .outcomeAlreadyRecorded(impression: id, group: g0, previous: "resolved"))
        }
        try send(g0, .csat(5))
        XCTAssertThrowsError(try send(g0, .csat(4))) {
            XCTAssertEqual($0 as? RankingError, .csatAlreadyRecorded(impression: id, group: g0))
        }
        try send(g0, .reopened)
        XCTAssertThrowsError(try send(g0, .reopened)) {
            XCTAssertEqual($0 as? RankingError, .nothingToReopen(impression: id, group: g0, state: "reopened"))
        }
        try send(g1, .escalated)
        let stats = ranker.stats()
        XCTAssertEqual(stats.updates, 4)
        XCTAssertEqual(stats.feedback, ["resolved": 1, "escalated": 1, "corrected": 0, "csat": 1, "reopened": 1])
    }

    func testCorrectionEndorsesTheGroupUsedInstead() throws {
        let bytes = try Ranker().encodeState()
        let endorsing = try Ranker(decoding: bytes), plain = try Ranker(decoding: bytes)
        var world = SyntheticWorld(seed: 9)
        let request = world.nextRequest(k: 4)
        let r = try endorsing.rank(request)
        _ = try plain.rank(request)
        let shown = r.groups[0], instead = r.groups[2]
        let effect = try endorsing.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: shown.groupID,
                                                           outcome: .corrected(groupUsedInstead: instead.groupID), time: request.now))
        try plain.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: shown.groupID,
                                          outcome: .corrected(groupUsedInstead: nil), time: request.now))
        XCTAssertEqual(effect.rescored.map(\.groupID), [shown.groupID, instead.groupID])
        XCTAssertGreaterThan(effect.rescored[1].score.probability, try plain.score(features: instead.features).probability,
                             "the agent's choice is learned as (half) a resolution")
        XCTAssertEqual(endorsing.history(of: shown.groupID), OutcomeHistory(successes: 0, failures: 1))
        XCTAssertEqual(endorsing.history(of: instead.groupID), OutcomeHistory(successes: 0.5, failures: 0))
        let ranker = endorsing

        // A group that was not shown gets the history credit only.
        let r2 = try ranker.rank(world.nextRequest(k: 2))
        try ranker.feedback(FeedbackRecord(impressionID: r2.impressionID, groupID: r2.groups[0].groupID,
                                           outcome: .corrected(groupUsedInstead: 9_999), time: request.now))
        XCTAssertEqual(ranker.history(of: 9_999), OutcomeHistory(successes: 0.5, failures: 0))
    }

    func testAdversarialStreamsStayFiniteAndBounded() throws {
        let request = RankRequest(hits: [CandidateHit(vectorID: 1, groupID: 1, similarity: 0.9, isAlias: false),
                                         CandidateHit(vectorID: 2, groupID: 2, similarity: 0.4, isAlias: true)],
                                  contextTags: [ContextTag("plan:pro")], callerFeatures: ["lexical_overlap": [1: 1, 2: -1]],
                                  k: 2, now: 0)
        let limit = RankerConfiguration().ftrl.maxAbsWeight
        for (name, outcomeAt) in [("all positive", { (_: Int) in Outcome.resolved }),
                                  ("all negative", { (_: Int) in Outcome.escalated }),
                                  ("alternating", { (i: Int) in i % 2 == 0 ? Outcome.resolved : .escalated })] {
            var configuration = RankerConfiguration()
            configuration.maxImpressions = 1_000
            let ranker = try Ranker(configuration: configuration)
            // 100 000 feedback events: one on each of the two groups of 50 000 impressions.
            for i in stride(from: 0, to: 100_000, by: 2) {
                let r = try ranker.rank(request)
                for (j, group) in r.groups.enumerated() {
                    try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: group.groupID,
                                                       outcome: outcomeAt(i + j), time: 0))
                }
            }
            XCTAssertEqual(ranker.stats().updates, 100_000)
            let w = ranker.weights
            XCTAssertTrue(w.allSatisfy(\.isFinite), "\(name): weights \(w)")
            XCTAssertLessThanOrEqual(w.map(abs).max()!, limit, name)
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertLessThan(norm, 60, "\(name): weight norm \(norm)")
            let s = try ranker.rank(request).groups[0].score
            for v in [s.probability, s.lower, s.upper, s.logit, s.width] { XCTAssertTrue(v.isFinite, "\(name): \(s)") }
            XCTAssertTrue(s.lower <= s.probability && s.probability <= s.upper, "\(name): \(s)")
            print("\(name): |w| = \(norm), max |wᵢ| = \(w.map(abs).max()!), P = \(s.probability) [\(s.lower), \(s.upper)]")
        }
    }
}

extension RankResult {
    /// The group shown first.
    var groupID0: UInt64 { groups[0].groupID }
}

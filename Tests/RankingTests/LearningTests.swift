import Ranking
import XCTest

/// The learning proofs on the synthetic world: the learner climbs
/// from cosine order to within 2 points of the oracle, and is calibrated on
/// held-back queries.
final class LearningTests: XCTestCase {
    /// Feedback events after which the learner must be within 2 points of the oracle.
    static let trainingEvents = 20_000
    /// The window the top-1 rates are measured on.
    static let window = 500
    /// The stated number of feedback events to come within 2 points of the oracle (measured: ~1 500).
    static let eventsToReachOracle = 2_000
    /// Held-back queries for calibration (3 000 per decile).
    static let heldBack = 30_000

    func testLearnerClimbsFromCosineToWithinTwoPointsOfOracle() throws {
        var world = SyntheticWorld(seed: 42)
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.02
        let ranker = try Ranker(configuration: configuration)
        var learner = 0.0, oracle = 0.0, cosine = 0.0
        var curve: [(Int, Double, Double, Double)] = []
        for event in 1...Self.trainingEvents {
            let request = world.nextRequest()
            let result = try ranker.rank(request)
            let truth = result.groups.map { world.trueProbability($0.features) }
            let best = result.groups.indices.max { result.groups[$0].features[1] < result.groups[$1].features[1] }!
            learner += truth[0]
            oracle += truth.max()!
            cosine += truth[best]
            let shown = result.groups[0]
            let outcome: Outcome = world.resolves(shown.features) ? .resolved : .escalated
            try ranker.feedback(FeedbackRecord(impressionID: result.impressionID, groupID: shown.groupID,
                                               outcome: outcome, time: request.now))
            if event % Self.window == 0 {
                let n = Double(Self.window)
                curve.append((event, learner / n, oracle / n, cosine / n))
                learner = 0; oracle = 0; cosine = 0
            }
        }
        print("events  learner  oracle  cosine-only   (top-1 expected resolution rate per \(Self.window) events)")
        for (e, l, o, c) in curve { print(String(format: "%6d   %.3f    %.3f   %.3f", e, l, o, c)) }
        let (_, firstLearner, firstOracle, _) = curve[0]
        XCTAssertLessThan(firstLearner, firstOracle - 0.03, "the first window should start well below the oracle")
        for (e, l, o, c) in curve where e > Self.eventsToReachOracle {
            XCTAssertGreaterThanOrEqual(l, o - 0.02, "after \(e) events: learner \(l) not within 2 points of oracle \(o)")
            XCTAssertGreaterThan(l, c + 0.08, "after \(e) events: learner \(l) not clearly above cosine-only \(c)")
        }
    }

    /// Calibration on held-back queries: in every decile of predicted
    /// P(resolved) for the answer shown, the observed rate is within 3 points
    /// of the mean prediction, and at or above the mean lower bound in ≥ 95 % of deciles.
    func testCalibratedOnHeldBackQueries() throws {
        var world = SyntheticWorld(seed: 7)
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.02
        let ranker = try Ranker(configuration: configuration)
        for _ in 0..<Self.trainingEvents {
            let request = world.nextRequest()
            let result = try ranker.rank(request)
            let shown = result.groups[0]
            let outcome: Outcome = world.resolves(shown.features) ? .resolved : .escalated
            try ranker.feedback(FeedbackRecord(impressionID: result.impressionID, groupID: shown.groupID,
                                               outcome: outcome, time: request.now))
        }
        // Held back: ranked and observed, never fed back.
        var rows: [(p: Double, lower: Double, resolved: Double)] = []
        for _ in 0..<Self.heldBack {
            let result = try ranker.rank(world.nextRequest())
            let shown = result.groups[0]
            rows.append((shown.score.probability, shown.score.lower, world.resolves(shown.features) ? 1 : 0))
        }
        rows.sort { $0.p < $1.p }
        var boundHeld = 0
        print("decile  predicted  observed  lower")
        for decile in 0..<10 {
            let slice = rows[(decile * rows.count / 10)..<((decile + 1) * rows.count / 10)]
            let n = Double(slice.count)
            let predicted = slice.reduce(0) { $0 + $1.p } / n
            let observed = slice.reduce(0) { $0 + $1.resolved } / n
            let lower = slice.reduce(0) { $0 + $1.lower } / n
            print(String(format: "%4d    %.3f      %.3f     %.3f", decile + 1, predicted, observed, lower))
            XCTAssertEqual(observed, predicted, accuracy: 0.03, "decile \(decile + 1)")
            if observed >= lower { boundHeld += 1 }
        }
        XCTAssertGreaterThanOrEqual(Double(boundHeld) / 10, 0.95, "lower bound held in \(boundHeld) of 10 deciles")
    }
}

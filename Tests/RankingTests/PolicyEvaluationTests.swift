import Ranking
import XCTest

/// PolicyEvaluation.swift: IPS and self-normalised IPS on logged impressions.
final class PolicyEvaluationTests: XCTestCase {
    func testIPSOfTheLoggingPolicyMatchesItsObservedValueAndOtherPoliciesTheirTrueValue() throws {
        var world = SyntheticWorld(seed: 21)
        var configuration = RankerConfiguration()
        configuration.learningEnabled = false     // a fixed logging policy: cosine order, ε-greedy
        configuration.explorationRate = 0.3
        let ranker = try Ranker(configuration: configuration)
        let oracle = try TargetPolicy(weights: world.hiddenWeights)
        var oracleTrue = 0.0, greedyTrue = 0.0, n = 0.0
        for _ in 0..<20_000 {
            let request = world.nextRequest(k: 5)
            let r = try ranker.rank(request)
            let truth = r.groups.map { world.trueProbability($0.features) }
            // True values of the target policies on this impression's groups.
            let byLogit = r.groups.indices.max { r.groups[$0].score.logit < r.groups[$1].score.logit }!
            let byOracle = r.groups.indices.max { truth[$0] < truth[$1] }!
            greedyTrue += truth[byLogit]
            oracleTrue += truth[byOracle]
            n += 1
            try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID,
                                               outcome: world.resolves(r.groups[0].features) ? .resolved : .escalated,
                                               time: request.now))
        }
        let logging = ranker.evaluate(try TargetPolicy(weights: ranker.weights, explorationRate: 0.3))
        XCTAssertEqual(logging.impressions, 20_000)
        print("logging policy:", logging)
        XCTAssertTrue(logging.ipsLower <= logging.loggedValue && logging.loggedValue <= logging.ipsUpper, "\(logging)")
        XCTAssertTrue(logging.snipsLower <= logging.loggedValue && logging.loggedValue <= logging.snipsUpper, "\(logging)")
        XCTAssertEqual(logging.ips, logging.loggedValue, accuracy: 0.01)

        let greedy = ranker.evaluate(try TargetPolicy(weights: ranker.weights, explorationRate: 0))
        print("greedy (ε = 0):", greedy, "true:", greedyTrue / n)
        XCTAssertTrue(greedy.ipsLower <= greedyTrue / n && greedyTrue / n <= greedy.ipsUpper, "\(greedy)")
        XCTAssertTrue(greedy.snipsLower <= greedyTrue / n && greedyTrue / n <= greedy.snipsUpper, "\(greedy)")

        let better = ranker.evaluate(oracle)
        print("oracle weights:", better, "true:", oracleTrue / n)
        XCTAssertTrue(better.snipsLower <= oracleTrue / n && oracleTrue / n <= better.snipsUpper, "\(better)")
        XCTAssertGreaterThan(better.snips, greedy.snips + 0.05, "IPS sees that the oracle weights would do better")
    }

    func testTargetPoliciesAreValidated() {
        XCTAssertThrowsError(try TargetPolicy(weights: [1, 2])) {
            XCTAssertEqual($0 as? RankingError, .wrongDimension(expected: FeatureSchema.dimension, got: 2))
        }
        XCTAssertThrowsError(try TargetPolicy(namedWeights: ["similarity": 1])) {
            XCTAssertEqual($0 as? RankingError, .unknownFeature(name: "similarity"))
        }
        XCTAssertEqual(try TargetPolicy(namedWeights: ["best_similarity": 2]).weights[1], 2)
    }
}

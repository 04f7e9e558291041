import Ranking
import XCTest

/// Ranker-rank.swift's ε-greedy exploration and its logged propensities.
final class ExplorationTests: XCTestCase {
    func testPropensitiesAreExactAndExplorationIsReproducible() throws {
        var configuration = RankerConfiguration()
        configuration.explorationRate = 0.2
        let a = try Ranker(configuration: configuration), b = try Ranker(configuration: configuration)
        var world = SyntheticWorld(seed: 51)
        var explored = 0
        let n = 5_000, k = 4
        for _ in 0..<n {
            let request = world.nextRequest(k: k)
            let r = try a.rank(request)
            XCTAssertEqual(try b.rank(request), r, "same seed, same impression id: same draw")
            XCTAssertEqual(r.groups.reduce(0) { $0 + $1.propensity }, 1, accuracy: 1e-12)
            let best = r.groups.max { $0.score.logit < $1.score.logit }!
            XCTAssertEqual(best.propensity, 0.8 + 0.2 / Double(k), accuracy: 1e-12)
            for g in r.groups where g.groupID != best.groupID { XCTAssertEqual(g.propensity, 0.2 / Double(k), accuracy: 1e-12) }
            if r.explored { explored += 1; XCTAssertNotEqual(r.groups[0].groupID, best.groupID) }
        }
        // A different group is shown first with probability ε·(k − 1)/k = 0.15.
        XCTAssertEqual(Double(explored) / Double(n), 0.15, accuracy: 0.015)
    }

    func testNoExplorationByDefault() throws {
        let ranker = try Ranker()
        var world = SyntheticWorld(seed: 52)
        for _ in 0..<200 {
            let r = try ranker.rank(world.nextRequest(k: 3))
            XCTAssertFalse(r.explored)
            XCTAssertEqual(r.groups.map(\.propensity), [1, 0, 0])
        }
    }
}

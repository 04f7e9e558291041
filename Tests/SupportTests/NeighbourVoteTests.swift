import Foundation
@testable import Support
import XCTest

/// NeighbourVote.swift: how the nearest hits of a plain SEARCH become each group's share of the vote.
final class NeighbourVoteTests: XCTestCase {
    /// A directory knowing alias 1 of article 7 and alias 2 of article 8.
    private func directory() throws -> AliasDirectory {
        try AliasDirectory(store: FakeLearningStore(aliases: [(1, 7, true), (2, 8, true)]))
    }

    private func vote(_ hits: [(id: UInt64, distance: Float)]) throws -> [UInt64: Float] {
        NeighbourVote(ids: hits.map(\.id), distances: hits.map(\.distance), directory: try directory()).shares
    }

    func testNoHitsGiveNoVote() throws {
        XCTAssertEqual(try vote([]), [:])
    }

    func testOneHitTakesTheWholeVote() throws {
        XCTAssertEqual(try vote([(7, 0.4)]), [7: 1])
    }

    func testEqualDistancesShareEqually() throws {
        let shares = try vote([(7, 0.2), (8, 0.2), (9, 0.2), (10, 0.2)])
        XCTAssertEqual(shares.count, 4)
        for (_, share) in shares { XCTAssertEqual(share, 0.25, accuracy: 1e-6) }
    }

    func testAHitOneTemperatureFurtherWeighsOneOverE() throws {
        let shares = try vote([(7, 0.10), (8, 0.10 + NeighbourVote.temperature)])
        XCTAssertEqual(try XCTUnwrap(shares[7]), 1 / (1 + expf(-1)), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(shares[8]), expf(-1) / (1 + expf(-1)), accuracy: 1e-5)
    }

    func testAnAliasVotesForItsArticleTogetherWithTheArticlesOwnVector() throws {
        let alias1 = VectorIDs.alias(1), alias2 = VectorIDs.alias(2)
        let shares = try vote([(alias1, 0.1), (8, 0.1), (7, 0.1), (alias2, 0.1)])
        XCTAssertEqual(Set(shares.keys), [7, 8], "alias vector ids never appear as groups of their own")
        XCTAssertEqual(try XCTUnwrap(shares[7]), 0.5, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(shares[8]), 0.5, accuracy: 1e-6)
    }

    func testAnUnknownAliasIsLeftOutOfTheVoteAndItsShare() throws {
        let stranger = VectorIDs.alias(99)
        let shares = try vote([(stranger, 0.05), (7, 0.3)])
        XCTAssertEqual(shares, [7: 1], "an alias another instance added is not counted, not even in the total")
        XCTAssertEqual(try vote([(stranger, 0.05), (VectorIDs.alias(98), 0.1)]), [:], "only unknown aliases: no vote at all")
    }

    func testTheVoteIsRelativeToTheNearestHitEvenWhenThatOneIsUnknown() throws {
        // Weights are exp((nearest − d) / T): with the unknown nearest at 0, the known hits' weights are tiny, but their shares are not.
        let shares = try vote([(VectorIDs.alias(99), 0), (7, 1.0), (8, 1.0)])
        XCTAssertEqual(try XCTUnwrap(shares[7]), 0.5, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(shares[8]), 0.5, accuracy: 1e-6)
    }

    func testTheFarthestCosineHitsGetNextToNothingAndNothingOverflows() throws {
        let shares = try vote([(7, 0), (8, 2), (9, 2)])
        XCTAssertEqual(try XCTUnwrap(shares[7]), 1, "exp(−40) next to exp(0) vanishes in Float")
        XCTAssertEqual(shares[8] ?? -1, 0, accuracy: 1e-12)
        XCTAssertTrue(shares.values.allSatisfy(\.isFinite))
        XCTAssertEqual(shares.values.reduce(0, +), 1, accuracy: 1e-6)
    }

    func testManyHitsOfOneGroupOutvoteASingleSlightlyNearerHit() throws {
        let shares = try vote([(7, 0.10)] + (0..<5).map { _ in (UInt64(8), Float(0.12)) })
        XCTAssertGreaterThan(try XCTUnwrap(shares[8]), try XCTUnwrap(shares[7]),
                             "5 × exp(−0.4) > 1: a group the nearest questions agree on wins")
        XCTAssertEqual(shares.values.reduce(0, +), 1, accuracy: 1e-6)
    }

    func testContextLiftsReweighTheVoteAndKeepItASum() throws {
        var vote = NeighbourVote(ids: [7, 8], distances: [0.1, 0.1], directory: try directory())
        vote.condition(onLogLifts: [7: log(3), 8: 0])
        XCTAssertEqual(try XCTUnwrap(vote.shares[7]), 0.75, accuracy: 1e-6, "a lift of 3 against 1 turns 1:1 into 3:1")
        XCTAssertEqual(try XCTUnwrap(vote.shares[8]), 0.25, accuracy: 1e-6)
        var huge = NeighbourVote(ids: [7, 8], distances: [0.1, 0.1], directory: try directory())
        huge.condition(onLogLifts: [7: 900, 8: -900])
        XCTAssertEqual(try XCTUnwrap(huge.shares[7]), 1, accuracy: 1e-6, "no overflow however large the lift")
        var none = NeighbourVote(ids: [7, 8], distances: [0.1, 0.2], directory: try directory())
        let before = none.shares
        none.condition(onLogLifts: [:])
        XCTAssertEqual(none.shares, before, "no context evidence: the vote is unchanged")
    }
}

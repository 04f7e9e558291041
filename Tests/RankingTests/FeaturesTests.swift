import Ranking
import XCTest

/// Features.swift and the untrained model: the first rankings are cosine order.
final class FeaturesTests: XCTestCase {
    func testSchemaHasThirtyTwoNamedSlots() {
        XCTAssertEqual(FeatureSchema.dimension, 32)
        XCTAssertEqual(Set(FeatureSchema.names).count, 32, "names are unique")
        XCTAssertEqual(FeatureSchema.index(of: "best_similarity"), 1)
        for name in FeatureSchema.callerFeatureNames { XCTAssertNotNil(FeatureSchema.index(of: name)) }
    }

    func testUntrainedOrderIsSimilarityOrder() throws {
        let ranker = try Ranker()
        var world = SyntheticWorld(seed: 3)
        for _ in 0..<500 {
            let request = world.nextRequest()
            let result = try ranker.rank(request)
            var seen: [UInt64] = []
            for hit in request.hits where !seen.contains(hit.groupID) { seen.append(hit.groupID) }
            XCTAssertEqual(result.groups.map(\.groupID), seen, "untrained ranking must follow the hits' similarity order")
            XCTAssertFalse(result.explored)
        }
    }

    func testFeatureValuesOfAHandBuiltRequest() throws {
        let now = 10_000_000.0
        let hits = [
            CandidateHit(vectorID: 1, groupID: 10, similarity: 0.9, isAlias: true),
            CandidateHit(vectorID: 2, groupID: 20, similarity: 0.8, isAlias: false),
            CandidateHit(vectorID: 3, groupID: 10, similarity: 0.7, isAlias: false),
            CandidateHit(vectorID: 4, groupID: 10, similarity: 0.5, isAlias: false),
            CandidateHit(vectorID: 5, groupID: 10, similarity: 0.1, isAlias: true),
        ]
        let plan = ContextTag("plan:trial"), page = ContextTag("page:/billing")
        let request = RankRequest(
            hits: hits,
            groups: [10: GroupInfo(tags: [plan, ContextTag("topic:refunds")], insertedAt: now - 7200, updatedAt: now - 3600)],
            contextTags: [plan, page],
            callerFeatures: ["lexical_overlap": [10: 0.25, 20: -0.5]],
            k: 5, now: now)
        let result = try Ranker().rank(request)
        XCTAssertEqual(result.groups.map(\.groupID), [10, 20])
        func f(_ g: Int, _ name: String) -> Float { result.groups[g].features[FeatureSchema.index(of: name)!] }
        XCTAssertEqual(f(0, "bias"), 1)
        XCTAssertEqual(f(0, "best_similarity"), 0.9, accuracy: 1e-6)
        XCTAssertEqual(f(0, "best_similarity_sq"), 0.81, accuracy: 1e-6)
        XCTAssertEqual(f(0, "mean_top_similarity"), (0.9 + 0.7 + 0.5) / 3, accuracy: 1e-6)
        XCTAssertEqual(f(0, "knn_vote"), 0.8, accuracy: 1e-6)
        XCTAssertEqual(f(1, "knn_vote"), 0.2, accuracy: 1e-6)
        XCTAssertEqual(f(0, "margin"), 0.1, accuracy: 1e-6)
        XCTAssertEqual(f(1, "margin"), -0.1, accuracy: 1e-6)
        XCTAssertEqual(f(0, "best_rank"), 1)
        XCTAssertEqual(f(1, "best_rank"), 0.5)
        XCTAssertEqual(f(0, "best_is_alias"), 1)
        XCTAssertEqual(f(1, "best_is_alias"), 0)
        XCTAssertEqual(f(0, "alias_share"), 0.5)
        XCTAssertEqual(f(0, "outcome_mean"), 0)
        XCTAssertEqual(f(0, "outcome_count"), 0)
        XCTAssertEqual(f(0, "no_history"), 1)
        XCTAssertEqual(f(0, "age"), Float(log1p(1.0) / log1p(2 * 365 * 24.0)), accuracy: 1e-6, "age since the update, 1 hour")
        XCTAssertEqual(f(1, "age"), 0, "unknown age is 0")
        XCTAssertEqual(f(0, "context_match_count"), 0.25)
        XCTAssertEqual(f(0, "context_match_ratio"), 0.5)
        XCTAssertEqual(f(1, "context_match_ratio"), 0)
        XCTAssertEqual(f(0, "query_has_context"), 1)
        XCTAssertEqual(f(0, "context_family_\(plan.familyBucket)"), 1)
        XCTAssertEqual(f(0, "lexical_overlap"), 0.25)
        XCTAssertEqual(f(1, "lexical_overlap"), -0.5)
        XCTAssertEqual(f(0, "bm25"), 0, "a caller feature not sent is 0")
        for g in result.groups { for v in g.features { XCTAssertTrue(v >= -1 && v <= 1, "\(v) outside [-1, 1]") } }
    }

    /// Hits of groups 30, 10, 30, 20 (and a fifth of group 10 when `fifth`), and the three groups' infos.
    private func threeGroups(now: Double, fifth: Bool = false) -> (hits: [CandidateHit], infos: [UInt64: GroupInfo], plan: ContextTag) {
        let hits = [
            CandidateHit(vectorID: 1, groupID: 30, similarity: 0.9, isAlias: false),
            CandidateHit(vectorID: 2, groupID: 10, similarity: 0.8, isAlias: true),
            CandidateHit(vectorID: 3, groupID: 30, similarity: 0.7, isAlias: false),
            CandidateHit(vectorID: 4, groupID: 20, similarity: 0.6, isAlias: false),
        ] + (fifth ? [CandidateHit(vectorID: 5, groupID: 10, similarity: 0.5, isAlias: false)] : [])
        let plan = ContextTag("plan:pro")
        let infos: [UInt64: GroupInfo] = [
            30: GroupInfo(tags: [plan], insertedAt: now - 86_400, updatedAt: nil),
            10: GroupInfo(tags: [ContextTag("topic:sso"), plan], insertedAt: now - 60, updatedAt: now - 30),
            20: GroupInfo(),
        ]
        return (hits, infos, plan)
    }

    func testGroupsInFirstHitOrderMatchGroupsByID() throws {
        let now = 5_000_000.0
        let (hits, infos, plan) = threeGroups(now: now)
        let byID = try Ranker().rank(RankRequest(hits: hits, groups: infos, contextTags: [plan], k: 3, now: now))
        let inOrder = try Ranker().rank(RankRequest(
            hits: hits, groups: .inFirstHitOrder([infos[30]!, infos[10]!, infos[20]!]), contextTags: [plan], k: 3, now: now))
        XCTAssertEqual(inOrder.groups.map(\.groupID), byID.groups.map(\.groupID))
        XCTAssertEqual(inOrder.groups.map(\.features), byID.groups.map(\.features), "the two shapes must give identical features")
        XCTAssertNotEqual(byID.groups[0].features[FeatureSchema.index(of: "age")!], 0, "the infos were read, not defaulted")

        // The in-order shape must cover exactly the distinct groups: a short or long list is a caller bug.
        for wrong in [[infos[30]!, infos[10]!], [infos[30]!, infos[10]!, infos[20]!, GroupInfo()]] {
            XCTAssertThrowsError(try Ranker().rank(RankRequest(hits: hits, groups: .inFirstHitOrder(wrong), k: 3, now: now))) {
                XCTAssertEqual($0 as? RankingError, .groupInfoCount(expected: 3, got: wrong.count))
            }
        }
    }

    /// The grouped shape (each hit's place given, as the core's `RANK` sends it) gives the
    /// same ranking and features as grouping by id, and a place that contradicts the hits is refused.
    func testGroupedShapeMatchesGroupingByIDAndChecksEveryPlace() throws {
        let now = 5_000_000.0
        let (hits, infos, plan) = threeGroups(now: now, fifth: true)
        let ordered = [infos[30]!, infos[10]!, infos[20]!]
        let byID = try Ranker().rank(RankRequest(hits: hits, groups: infos, contextTags: [plan], k: 3, now: now))
        let grouped = try Ranker().rank(RankRequest(hits: hits, groups: .grouped(GroupInfoList(ordered), groupOfHit: [0, 1, 0, 2, 1]),
                                                    contextTags: [plan], k: 3, now: now))
        XCTAssertEqual(grouped.groups.map(\.groupID), byID.groups.map(\.groupID))
        XCTAssertEqual(grouped.groups.map(\.features), byID.groups.map(\.features))
        XCTAssertEqual(grouped.groups.map(\.score), byID.groups.map(\.score))
        XCTAssertEqual(grouped.groups.first { $0.groupID == 10 }?.bestSimilarity, 0.8, "the best hit's similarity comes back")
        XCTAssertEqual(grouped.groups.first { $0.groupID == 10 }?.bestVectorID, 2)

        let wrongPlaces: [([UInt32], Int, Int)] = [
            ([0, 1, 1, 2, 1], 2, 1),  // hit 2 (group 30) at group 10's place
            ([0, 2, 0, 1, 2], 1, 2),  // a new group must take the next place, not skip one
            ([0, 1, 0, 2, 0], 4, 0),  // hit 4 (group 10) at group 30's place
        ]
        for (places, index, place) in wrongPlaces {
            XCTAssertThrowsError(try Ranker().rank(RankRequest(hits: hits, groups: .grouped(GroupInfoList(ordered), groupOfHit: places),
                                                               k: 3, now: now))) {
                XCTAssertEqual($0 as? RankingError, .groupOfHitMismatch(index: index, place: place, groupID: hits[index].groupID))
            }
        }
        XCTAssertThrowsError(try Ranker().rank(RankRequest(hits: hits, groups: .grouped(GroupInfoList(ordered), groupOfHit: [0, 1, 0]),
                                                           k: 3, now: now))) {
            XCTAssertEqual($0 as? RankingError, .groupInfoCount(expected: 5, got: 3), "one place per hit")
        }
        XCTAssertThrowsError(try Ranker().rank(RankRequest(hits: hits, groups: .grouped(GroupInfoList(ordered.prefix(2)), groupOfHit: [0, 1, 0, 2, 1]),
                                                           k: 3, now: now))) {
            XCTAssertEqual($0 as? RankingError, .groupInfoCount(expected: 3, got: 2), "one info per group")
        }
    }

    /// The score's logit (summed in four partial sums) is w·x summed in order, to rounding.
    func testLogitIsTheWeightsDotTheFeatures() throws {
        var world = SyntheticWorld(seed: 11)
        let ranker = try trainedRanker(&world, rounds: 200) { $0 % 2 == 0 }
        let w = ranker.weights
        XCTAssertGreaterThan(w.filter { $0 != 0 }.count, 3, "the model learned something")
        for i in 0..<20 {
            let x = (0..<FeatureSchema.dimension).map { j in Float(sin(Double(i * 37 + j))) }
            let naive = zip(w, x).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            XCTAssertEqual(try ranker.score(features: x).logit, naive, accuracy: 1e-12 * max(1, abs(naive)))
        }
    }

    /// A ranker fed `rounds` rankings of `world`, each top group resolved when `resolves(group)`, else escalated.
    private func trainedRanker(_ world: inout SyntheticWorld, rounds: Int, resolves: (UInt64) -> Bool) throws -> Ranker {
        let ranker = try Ranker()
        for _ in 0..<rounds {
            let result = try ranker.rank(world.nextRequest())
            guard let first = result.groups.first else { continue }
            _ = try ranker.feedback(FeedbackRecord(impressionID: result.impressionID, groupID: first.groupID,
                                                   outcome: resolves(first.groupID) ? .resolved : .escalated, time: 0))
        }
        return ranker
    }

    /// A ranking scores its shown groups together (their variances four at a time);
    /// each interval must equal scoring that group's features alone, bit for bit.
    func testRankedIntervalsEqualScoringEachGroupAlone() throws {
        var world = SyntheticWorld(seed: 23)
        let ranker = try trainedRanker(&world, rounds: 300) { $0 % 3 == 0 }
        var widths = Set<Double>()
        for _ in 0..<20 {
            let result = try ranker.rank(world.nextRequest())
            XCTAssertGreaterThan(result.groups.count, 1, "several groups scored together")
            for group in result.groups {
                let alone = try ranker.score(features: group.features)
                XCTAssertEqual(group.score, alone, "group \(group.groupID): batched and single scoring differ")
                widths.insert(alone.width)
            }
        }
        XCTAssertGreaterThan(widths.count, 10, "the widths depend on the features (the posterior is not the prior)")
    }

    func testOutcomeHistoryFeatures() throws {
        let ranker = try Ranker()
        let request = RankRequest(hits: [CandidateHit(vectorID: 1, groupID: 7, similarity: 0.8, isAlias: false)], k: 1, now: 0)
        for _ in 0..<3 {
            let r = try ranker.rank(request)
            try ranker.feedback(FeedbackRecord(impressionID: r.impressionID, groupID: 7, outcome: .resolved, time: 0))
        }
        let x = try ranker.rank(request).groups[0].features
        XCTAssertEqual(x[FeatureSchema.index(of: "outcome_mean")!], Float(4.0 / 5.0 - 0.5), accuracy: 1e-6, "Beta(1+3, 1+0) mean − 0.5")
        XCTAssertEqual(x[FeatureSchema.index(of: "outcome_count")!], Float(log1p(3.0) / log1p(1000.0)), accuracy: 1e-6)
        XCTAssertEqual(x[FeatureSchema.index(of: "no_history")!], 0)
        XCTAssertEqual(ranker.history(of: 7), OutcomeHistory(successes: 3, failures: 0))
    }

    func testMalformedRequestsAreRefusedPrecisely() throws {
        let ranker = try Ranker()
        let hit = CandidateHit(vectorID: 1, groupID: 1, similarity: 0.5, isAlias: false)
        XCTAssertThrowsError(try ranker.rank(RankRequest(hits: [hit], callerFeatures: ["lexical_overlapp": [1: 0.1]], k: 1, now: 0))) {
            XCTAssertEqual($0 as? RankingError, .unknownCallerFeature(name: "lexical_overlapp", allowed: FeatureSchema.callerFeatureNames))
            XCTAssertTrue("\($0)".contains("lexical_overlapp"))
        }
        XCTAssertThrowsError(try ranker.rank(RankRequest(hits: [hit], callerFeatures: ["bm25": [1: 3]], k: 1, now: 0))) {
            XCTAssertEqual($0 as? RankingError, .callerFeatureOutOfRange(name: "bm25", group: 1, value: 3))
        }
        let nan = CandidateHit(vectorID: 9, groupID: 1, similarity: .nan, isAlias: false)
        XCTAssertThrowsError(try ranker.rank(RankRequest(hits: [nan], k: 1, now: 0))) {
            guard case .nonFiniteSimilarity(vectorID: 9, _)? = $0 as? RankingError else { return XCTFail("\($0)") }
        }
        let low = CandidateHit(vectorID: 2, groupID: 2, similarity: 0.1, isAlias: false)
        XCTAssertThrowsError(try ranker.rank(RankRequest(hits: [low, hit], k: 1, now: 0))) {
            XCTAssertEqual($0 as? RankingError, .hitsNotInRankOrder(index: 1, previous: 0.1, similarity: 0.5))
        }
        XCTAssertThrowsError(try ranker.rank(RankRequest(hits: [hit], k: 0, now: 0))) {
            XCTAssertEqual($0 as? RankingError, .invalidK(0))
        }
        let empty = try ranker.rank(RankRequest(hits: [], k: 3, now: 0))
        XCTAssertEqual(empty.impressionID, 0)
        XCTAssertTrue(empty.groups.isEmpty)
        XCTAssertEqual(ranker.stats().impressionsIssued, 0, "nothing logged for an empty ranking")
    }

    func testContextTagHashIsStableAndFamilyAware() {
        XCTAssertEqual(ContextTag("plan:trial").familyBucket, ContextTag("plan:pro").familyBucket)
        XCTAssertNotEqual(ContextTag("plan:trial").hash, ContextTag("plan:pro").hash)
        // FNV-1a 64 of "a" is a published test vector.
        XCTAssertEqual(ContextTag("a").hash, 0xaf63_dc4c_8601_ec8c)
    }
}

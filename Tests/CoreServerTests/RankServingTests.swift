import CoreServer
import Foundation
import Ranking
import VectorIndex
import Wire
import XCTest

/// `RANK` and `FEEDBACK` through a real server (docs/PROTOCOL.md §7.10):
/// scores with bounds, learning at once, precise errors, and learned state
/// and impressions that survive a restart and a snapshot.
final class RankServingTests: XCTestCase {
    private let dim = 8

    /// 20 groups of an article (ids 1, 4, 7, …) and two aliases each, cosine.
    private func makeCollection(_ server: TestServer, name: String = "kb") throws -> (client: LoopdeskBlockingClient, vectors: [Float]) {
        let client = try server.client()
        _ = try client.call(CreateCollectionRequest(name: name, dimension: dim, metric: .cosine))
        var generator = SystemRandomNumberGenerator()
        let count = 60
        let vectors = (0..<(count * dim)).map { _ in Float.random(in: -1...1, using: &generator) }
        let ids = (1...UInt64(count)).map { $0 }
        let groups = (0..<count).map { UInt64($0 / 3 + 100) }
        let tags = (0..<count).map { $0 % 3 == 0 ? ["topic:\($0 / 3 % 4)"] : ["alias"] }
        _ = try client.call(UpsertRequest(collection: name, items: ItemBatch(dimension: dim, ids: ids, vectors: vectors,
                                                                              groups: groups, tags: tags)))
        return (client, vectors)
    }

    private func query(_ vectors: [Float], id: Int) -> [Float] { Array(vectors[((id - 1) * dim)..<(id * dim)]) }

    private func expect(_ code: ErrorCode, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? WireError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    func testRankReturnsGroupsWithScoresBoundsFeaturesAndAnImpression() throws {
        let server = try TestServer()
        let (client, vectors) = try makeCollection(server)
        let reply = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 4), k: 5, candidates: 30,
                                                contextTags: ["topic:1", "plan:pro"]))
        XCTAssertGreaterThan(reply.impression, 0)
        XCTAssertEqual(reply.groups.count, 5)
        XCTAssertEqual(reply.featureNames.count, 32)
        XCTAssertEqual(Set(reply.groups.map(\.group)).count, 5, "groups are distinct")
        // Vector 4 is group 101's article: the query's own group comes first, at similarity 1.
        XCTAssertEqual(reply.groups[0].group, 101)
        XCTAssertEqual(reply.groups[0].bestVector, 4)
        XCTAssertEqual(reply.groups[0].bestSimilarity, 1, accuracy: 1e-4)
        for item in reply.groups {
            XCTAssertTrue(item.score.lower > 0 && item.score.lower <= item.score.score && item.score.score <= item.score.upper
                          && item.score.upper < 1, "\(item.score)")
            XCTAssertEqual(item.features.count, 32)
            XCTAssertEqual(item.propensity, item.group == reply.groups[0].group ? 1 : 0, accuracy: 1e-12)
        }
        let scores = reply.groups.map(\.score.score)
        XCTAssertEqual(scores, scores.sorted(by: >), "shown in score order")
        let without = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 4), k: 3, withFeatures: false))
        XCTAssertEqual(without.featureNames, [])
        XCTAssertGreaterThan(without.impression, reply.impression)

        let stats = try client.call(StatsRequest(collection: "kb")).json
        XCTAssertTrue(stats.contains("\"ranking\"") && stats.contains("best_similarity") && stats.contains("\"groups\":20"), stats)
    }

    func testFeedbackMovesTheScoreAtOnce() throws {
        let server = try TestServer()
        let (client, vectors) = try makeCollection(server)
        let q = query(vectors, id: 7)
        let first = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        let group = first.groups[0].group
        let resolved = try client.call(FeedbackRequest(collection: "kb", impression: first.impression, group: group, outcome: .resolved))
        XCTAssertEqual(resolved.groups.first?.group, group)
        XCTAssertGreaterThan(try XCTUnwrap(resolved.groups.first).score.score, first.groups[0].score.score, "resolved raises")

        let second = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        XCTAssertEqual(second.groups[0].group, group)
        XCTAssertGreaterThan(second.groups[0].score.score, first.groups[0].score.score, "the next ranking already uses what was learned")
        let escalated = try client.call(FeedbackRequest(collection: "kb", impression: second.impression, group: group, outcome: .escalated))
        XCTAssertLessThan(try XCTUnwrap(escalated.groups.first).score.score, second.groups[0].score.score, "escalated lowers")
        let csat = try client.call(FeedbackRequest(collection: "kb", impression: second.impression, group: group, outcome: .csat(5)))
        XCTAssertEqual(csat.groups.count, 1)
    }

    func testFeedbackErrorsArePreciseAndTheConnectionGoesOn() throws {
        let server = try TestServer()
        let (client, vectors) = try makeCollection(server)
        let reply = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 1), k: 2))
        let shown = reply.groups[0].group
        expect(.unknownImpression) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: 999_999, group: shown, outcome: .resolved))
        }
        expect(.groupNotInImpression) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: reply.impression, group: 424_242, outcome: .resolved))
        }
        expect(.invalidOutcome) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: reply.impression, group: shown, outcome: .reopened))
        }
        expect(.invalidOutcome) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: reply.impression, group: shown, outcome: .csat(9)))
        }
        _ = try client.call(FeedbackRequest(collection: "kb", impression: reply.impression, group: shown, outcome: .escalated))
        expect(.outcomeAlreadyRecorded) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: reply.impression, group: shown, outcome: .resolved))
        }
        expect(.unknownCallerFeature) {
            _ = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 1), k: 2,
                                            callerFeatures: [CallerFeature(name: "lexical_overlapp", values: [shown: 0.5])]))
        }
        expect(.callerFeatureOutOfRange) {
            _ = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 1), k: 2,
                                            callerFeatures: [CallerFeature(name: "bm25", values: [shown: 3])]))
        }
        expect(.wrongDimension) { _ = try client.call(Wire.RankRequest(collection: "kb", query: [1, 2, 3], k: 2)) }
        expect(.unknownCollection) {
            _ = try client.call(FeedbackRequest(collection: "nope", impression: 1, group: 1, outcome: .resolved))
        }
        expect(.invalidArgument) { _ = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 1), k: 2, candidates: 50, ef: 10)) }
        // A caller feature within range is used.
        let withFeature = try client.call(Wire.RankRequest(collection: "kb", query: query(vectors, id: 1), k: 2,
                                                      callerFeatures: [CallerFeature(name: "lexical_overlap", values: [shown: 0.5])]))
        let slot = try XCTUnwrap(withFeature.featureNames.firstIndex(of: "lexical_overlap"))
        XCTAssertEqual(withFeature.groups.first { $0.group == shown }?.features[slot], 0.5)

        // Undecodable payloads: the connection survives.
        let peer = try RawPeer(server.socketPath)
        try peer.hello()
        let payload = try FeedbackRequest(collection: "kb", impression: 1, group: 1, outcome: .resolved).payloadBytes
        var bad = payload
        bad[bad.count - 1] = 9
        try peer.send(Frame.encode(kind: .feedback, flags: [], requestID: 2, capacity: bad.count) { $0.write(raw: bad) })
        try peer.expectError(.malformedPayload, requestID: 2, kind: .feedback)
        try peer.send(Frame.encode(kind: .rank, flags: [], requestID: 3, capacity: 5) { $0.write(raw: [1, 0, 0, 0, 0]) })
        try peer.expectError(.malformedPayload, requestID: 3, kind: .rank)
        try peer.send(PingRequest(payload: [5]).frame(requestID: 4))
        XCTAssertEqual(try peer.next()?.payload, [5])
        XCTAssertEqual(try client.call(PingRequest(payload: [1])).payload, [1])
        server.assertServing()
    }

    private func updates(_ client: LoopdeskBlockingClient) throws -> Int {
        let json = try client.call(StatsRequest(collection: "kb")).json
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let collection = (document?["collections"] as? [String: Any])?["kb"] as? [String: Any]
        let model = (collection?["ranking"] as? [String: Any])?["model"] as? [String: Any]
        return try XCTUnwrap(model?["updates"] as? Int, json)
    }

    func testARestartKeepsWhatWasLearnedAndOpenImpressionsStillTakeFeedback() throws {
        let server = try TestServer()
        let setup = try makeCollection(server)
        var client = setup.client
        let vectors = setup.vectors
        let q = query(vectors, id: 10)
        let taught = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        let group = taught.groups[0].group
        let learned = try client.call(FeedbackRequest(collection: "kb", impression: taught.impression, group: group, outcome: .resolved))
        let pending = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        client.close()

        server.stop()
        try server.start()
        client = try server.client()
        XCTAssertEqual(try updates(client), 1)
        let again = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        XCTAssertGreaterThan(again.impression, pending.impression, "ids continue after a restart")
        XCTAssertGreaterThan(learned.groups[0].score.score, taught.groups[0].score.score)
        // Same weights and history; only the group's age moved by the seconds the restart took.
        XCTAssertEqual(again.groups[0].score.score, pending.groups[0].score.score, accuracy: 1e-4, "the learned state is back")
        // An impression made before the restart still accepts feedback.
        let late = try client.call(FeedbackRequest(collection: "kb", impression: pending.impression, group: group, outcome: .escalated))
        XCTAssertLessThan(late.groups[0].score.score, pending.groups[0].score.score)
        expect(.outcomeAlreadyRecorded) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: taught.impression, group: group, outcome: .escalated))
        }
        XCTAssertEqual(try updates(client), 2)
    }

    func testSnapshotThenMoreFeedbackThenRestartReplaysTheLogAfterTheSnapshot() throws {
        let server = try TestServer()
        let setup = try makeCollection(server)
        var client = setup.client
        let vectors = setup.vectors
        let q = query(vectors, id: 13)
        let before = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        _ = try client.call(FeedbackRequest(collection: "kb", impression: before.impression, group: before.groups[0].group, outcome: .resolved))
        _ = try client.call(SnapshotRequest(collection: "kb"))
        let after = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        let last = try client.call(FeedbackRequest(collection: "kb", impression: after.impression, group: after.groups[0].group,
                                                   outcome: .corrected(groupUsedInstead: after.groups[1].group)))
        // New vectors after the snapshot: their group and alias flag come back from the log.
        _ = try client.call(UpsertRequest(collection: "kb", items: ItemBatch(dimension: dim, ids: [1_000], vectors: q,
                                                                              groups: [7_000], tags: [["alias"]])))
        let check = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        XCTAssertGreaterThan(last.groups.count, 0)
        client.close()

        server.stop()
        try server.start()
        client = try server.client()
        XCTAssertEqual(try updates(client), 2)
        let restored = try client.call(Wire.RankRequest(collection: "kb", query: q, k: 3))
        XCTAssertEqual(Set(restored.groups.map(\.group)), Set(check.groups.map(\.group)))
        for b in check.groups {
            let a = try XCTUnwrap(restored.groups.first { $0.group == b.group })
            XCTAssertEqual(a.score.score, b.score.score, accuracy: 1e-4, "group \(a.group): the state before the restart is back")
        }
        let alias = try XCTUnwrap(restored.groups.first { $0.group == 7_000 }, "the alias-only group is ranked")
        let slot = try XCTUnwrap(restored.featureNames.firstIndex(of: "best_is_alias"))
        XCTAssertEqual(alias.features[slot], 1)
        expect(.outcomeAlreadyRecorded) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: after.impression, group: after.groups[0].group,
                                                outcome: .resolved))
        }
    }

    func testAToolRestoresTheRankerFromTheStoppedDataDirectory() throws {
        let server = try TestServer { $0.ranking?.explorationRate = 0.3 }
        let setup = try makeCollection(server)
        for i in 1...30 {
            let ranked = try setup.client.call(Wire.RankRequest(collection: "kb", query: query(setup.vectors, id: i), k: 3))
            let shown = ranked.groups[0].group
            _ = try setup.client.call(FeedbackRequest(collection: "kb", impression: ranked.impression, group: shown,
                                                      outcome: i % 3 == 0 ? .escalated : .resolved))
            if i == 15 { _ = try setup.client.call(SnapshotRequest(collection: "kb")) }
        }
        // While the daemon runs, its directory is locked: a tool must not take it over.
        XCTAssertThrowsError(try DataDirectory(path: server.dataPath)) { XCTAssertEqual($0 as? PersistenceError, .locked(path: server.dataPath)) }
        setup.client.close()
        server.stop()

        let directory = try DataDirectory(path: server.dataPath)
        let opened = try OfflineCollection(directory, name: "kb")
        defer { try? opened.close() }
        let ranker = try XCTUnwrap(opened.ranker)
        XCTAssertEqual(ranker.stats().updates, 30)
        XCTAssertEqual(ranker.configuration.explorationRate, 0.3)
        // What eval-policy computes: every impression's first group has an outcome.
        let estimate = ranker.evaluate(try TargetPolicy(weights: ranker.weights, explorationRate: 0.3))
        XCTAssertEqual(estimate.impressions, 30)
        XCTAssertTrue(estimate.snipsLower <= estimate.snips && estimate.snips <= estimate.snipsUpper, "\(estimate)")
    }

    func testWithoutRankingTheKindsAnswerRankingDisabled() throws {
        let server = try TestServer { $0.ranking = nil }
        let client = try server.client()
        _ = try client.call(CreateCollectionRequest(name: "kb", dimension: 2))
        expect(.rankingDisabled) { _ = try client.call(Wire.RankRequest(collection: "kb", query: [1, 0], k: 1)) }
        expect(.rankingDisabled) {
            _ = try client.call(FeedbackRequest(collection: "kb", impression: 1, group: 1, outcome: .resolved))
        }
        server.assertServing()
    }
}

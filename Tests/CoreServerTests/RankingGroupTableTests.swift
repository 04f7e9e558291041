@testable import CoreServer
import Primitives
import Ranking
@testable import VectorIndex
import Wire
import XCTest

/// The core's hit → group attribution for `RANK` (`RankingGroupTable`, and
/// the flat `VectorGroupMap` under it): which group and alias flag each hit
/// gets, which information each group hands the ranker, in which order — and
/// that the table survives deletes, tag changes, growth and its snapshot bytes.
final class RankingGroupTableTests: XCTestCase {
    // MARK: - VectorGroupMap

    /// The slot and alias flag packed into one map value come back as set,
    /// at the extremes too (the map's own contract is `IDHashMapTests`).
    func testMapPacksSlotAndAliasFlag() {
        var map = VectorGroupMap()
        map.set(0, groupSlot: 0, isAlias: false)
        map.set(1, groupSlot: .max - 1, isAlias: true)
        map.set(.max, groupSlot: 7, isAlias: true)
        XCTAssertEqual(map.find(0)?.groupSlot, 0)
        XCTAssertEqual(map.find(0)?.isAlias, false)
        XCTAssertEqual(map.find(1)?.groupSlot, .max - 1)
        XCTAssertEqual(map.find(1)?.isAlias, true)
        XCTAssertEqual(map.aliasCount, 2)
        map.set(1, groupSlot: 3, isAlias: false)
        XCTAssertEqual(map.aliasCount, 1)
        map.remove(.max)
        XCTAssertNil(map.find(.max))
        XCTAssertEqual(map.sortedEntries.map(\.key), [0, 1])
        XCTAssertEqual(map.count, 2)
    }

    // MARK: - Attribution

    private func table(_ changes: [RankingGroupTable.Change]) -> RankingGroupTable {
        var table = RankingGroupTable()
        for change in changes { table.apply(change) }
        return table
    }

    /// Groups 100 (article 1, aliases 2 and 3) and 200 (article 4, tags a and b); vector 5 has no group.
    private var sample: RankingGroupTable {
        table([
            .upsert(time: 10, items: [(1, 100, ["topic:billing"]), (2, 100, ["alias"]), (4, 200, ["a", "b"])]),
            .upsert(time: 20, items: [(3, 100, ["alias", "x"]), (5, 0, ["topic:solo"])]),
        ])
    }

    func testHitsGetTheirGroupAndAliasFlagAndGroupsComeInFirstHitOrder() {
        let hits = [SearchHit(id: 2, distance: 0.1), SearchHit(id: 4, distance: 0.2), SearchHit(id: 1, distance: 0.3),
                    SearchHit(id: 5, distance: 0.4), SearchHit(id: 3, distance: 0.5)]
        let (candidates, groups, groupOfHit) = sample.gather(hits, metric: .cosine)
        XCTAssertEqual(candidates.map(\.vectorID), [2, 4, 1, 5, 3])
        XCTAssertEqual(groupOfHit, [0, 1, 0, 2, 0], "each hit's place among the groups in first-hit order")
        XCTAssertEqual(candidates.map(\.groupID), [100, 200, 100, 5, 100])
        XCTAssertEqual(candidates.map(\.isAlias), [true, false, false, false, true])
        XCTAssertEqual(candidates.map(\.similarity), [0.9, 0.8, 0.7, 0.6, 0.5].map { Float($0) }, accuracy: 1e-6)
        // Groups 100, 200, 5 in the order of their first hit, each with its article's tags and times;
        // the alias upserted at time 20 changed neither group 100's tags nor its update time.
        XCTAssertEqual(Array(groups), [
            GroupInfo(tags: [ContextTag("topic:billing")], insertedAt: 10, updatedAt: 10),
            GroupInfo(tags: [ContextTag("a"), ContextTag("b")], insertedAt: 10, updatedAt: 10),
            GroupInfo(tags: [ContextTag("topic:solo")], insertedAt: 20, updatedAt: 20),
        ])
    }

    /// A vector the table never saw (upserted before ranking was on) is its own group, not an alias,
    /// and takes the information of a known group with its id if there is one.
    func testAnUnknownVectorIsItsOwnGroup() {
        let hits = [SearchHit(id: 77, distance: 0.1), SearchHit(id: 200, distance: 0.2), SearchHit(id: 77, distance: 0.3)]
        let (candidates, groups, groupOfHit) = sample.gather(hits, metric: .l2)
        XCTAssertEqual(candidates.map(\.groupID), [77, 200, 77])
        XCTAssertEqual(groupOfHit, [0, 1, 0])
        XCTAssertEqual(candidates.map(\.isAlias), [false, false, false])
        XCTAssertEqual(candidates[0].similarity, 1 - 0.1 / 2, accuracy: 1e-6)
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups[0], GroupInfo())
        XCTAssertEqual(groups[1], GroupInfo(tags: [ContextTag("a"), ContextTag("b")], insertedAt: 10, updatedAt: 10))
    }

    /// Many vectors the table never saw in one search (a collection filled before ranking was
    /// on): each its own group, in hit order, none lost or repeated however many there are.
    func testManyUnknownVectorsAreEachTheirOwnGroup() {
        let ids: [UInt64] = (0..<300).map { 1_000 + UInt64($0 / 2) }  // 150 vectors, each hit twice in a row
        let hits = ids.enumerated().map { SearchHit(id: $0.element, distance: Float($0.offset) / 1_000) }
        let (candidates, groups, groupOfHit) = sample.gather(hits, metric: .cosine)
        XCTAssertEqual(candidates.map(\.groupID), ids)
        XCTAssertEqual(groupOfHit, (0..<300).map { UInt32($0 / 2) })
        XCTAssertEqual(groups.count, 150)
        XCTAssertTrue(groups.allSatisfy { $0 == GroupInfo() })
    }

    /// An article's new upsert replaces its group's tags and update time; deleting
    /// every vector of a group keeps the group's times for when it comes back.
    func testTagChangesAndDeletes() {
        var t = sample
        t.apply(.upsert(time: 30, items: [(1, 100, ["topic:refunds", "plan:pro"])]))
        t.apply(.delete(ids: [4]))
        XCTAssertEqual(t.lookup(4), RankingGroupTable.VectorEntry(group: 4, isAlias: false), "deleted: its own group again")
        XCTAssertEqual(t.info(ofGroup: 100), GroupInfo(tags: [ContextTag("topic:refunds"), ContextTag("plan:pro")],
                                                       insertedAt: 10, updatedAt: 30))
        t.apply(.upsert(time: 40, items: [(4, 200, ["a"])]))
        XCTAssertEqual(t.info(ofGroup: 200), GroupInfo(tags: [ContextTag("a")], insertedAt: 10, updatedAt: 40))
        XCTAssertEqual(t.lookup(4), RankingGroupTable.VectorEntry(group: 200, isAlias: false))
        XCTAssertEqual(t.vectorCount, 5)
        XCTAssertEqual(t.aliasCount, 2)
        XCTAssertEqual(t.groupCount, 3)
    }

    /// A vector moved to another group is attributed to the new one only.
    func testAVectorMovedToAnotherGroup() {
        var t = sample
        t.apply(.upsert(time: 30, items: [(2, 200, [])]))
        let (candidates, groups, _) = t.gather([SearchHit(id: 2, distance: 0)], metric: .cosine)
        XCTAssertEqual(candidates.map(\.groupID), [200])
        XCTAssertEqual(candidates.map(\.isAlias), [false])
        XCTAssertEqual(groups.count, 1)
    }

    /// Many rewrites of the same groups' tags: the shared tag buffer is compacted and every group keeps its own tags.
    func testRepeatedTagRewritesKeepEachGroupsTags() throws {
        var t = RankingGroupTable()
        for round in 0..<400 {
            t.apply(.upsert(time: Double(round), items: (0..<50).map { g in
                (UInt64(g + 1), UInt64(g + 1), ["round:\(round)", "group:\(g)"])
            }))
        }
        for g in 0..<50 {
            XCTAssertEqual(t.info(ofGroup: UInt64(g + 1)), GroupInfo(tags: [ContextTag("round:399"), ContextTag("group:\(g)")],
                                                                   insertedAt: 0, updatedAt: 399))
        }
        // The tags' text (rewritten 400 times, its buffer compacted) and a group that has only an
        // alias so far come back from the snapshot bytes as they are.
        t.apply(.upsert(time: 500, items: [(9_000, 77, ["alias"])]))
        var w = ByteWriter(capacity: 64)
        t.encode(into: &w)
        let decoded = try w.bytes.withUnsafeBytes { raw -> RankingGroupTable in
            var r = ByteReader<WireError>(raw, context: "test")
            return try RankingGroupTable(reading: &r)
        }
        for g in 0..<50 { XCTAssertEqual(decoded.info(ofGroup: UInt64(g + 1)), t.info(ofGroup: UInt64(g + 1))) }
        XCTAssertEqual(decoded.info(ofGroup: 77), GroupInfo(tags: [ContextTag]([]), insertedAt: 500, updatedAt: 500))
        XCTAssertEqual(decoded.lookup(9_000), RankingGroupTable.VectorEntry(group: 77, isAlias: true))
        var again = ByteWriter(capacity: 64)
        decoded.encode(into: &again)
        XCTAssertEqual(again.bytes, w.bytes)
    }

    // MARK: - Snapshot bytes

    func testSnapshotBytesRoundTripAndAreTheSameForEqualTables() throws {
        var t = sample
        t.apply(.delete(ids: [2]))
        var w = ByteWriter(capacity: 64)
        t.encode(into: &w)
        let bytes = w.bytes
        let decoded = try bytes.withUnsafeBytes { raw -> RankingGroupTable in
            var r = ByteReader<WireError>(raw, context: "test")
            let table = try RankingGroupTable(reading: &r)
            try r.expectEnd()
            return table
        }
        var again = ByteWriter(capacity: 64)
        decoded.encode(into: &again)
        XCTAssertEqual(again.bytes, bytes)
        for id in UInt64(1)...5 { XCTAssertEqual(decoded.lookup(id), t.lookup(id), "vector \(id)") }
        for group: UInt64 in [100, 200, 5] { XCTAssertEqual(decoded.info(ofGroup: group), t.info(ofGroup: group)) }
    }

    /// A vector whose group has no record cannot come from this table: refused with the ids.
    func testSnapshotWithAVectorOfAnUnknownGroupIsRefused() {
        var w = ByteWriter(capacity: 64)
        w.write(UInt64(1)); w.write(UInt64(9)); w.write(UInt64(900)); w.write(UInt8(0))
        w.write(UInt64(0))
        let bytes = w.bytes
        XCTAssertThrowsError(try bytes.withUnsafeBytes { raw in
            var r = ByteReader<WireError>(raw, context: "test")
            _ = try RankingGroupTable(reading: &r)
        }) { error in
            XCTAssertTrue("\(error)".contains("vector 9's group 900 has no record"), "\(error)")
        }
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}

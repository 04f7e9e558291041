import Foundation
import GRDB
@testable import Support
import XCTest

/// Failures on data paths that do not fail the request are counted and logged, not swallowed:
/// a damaged tags column, an outbox whose bookkeeping cannot be written.
final class DataPathFailureTests: XCTestCase {
    func testADamagedTagsColumnReadsAsNoTagsAndIsCounted() async throws {
        let harness = try GapHarness()
        let service = try await harness.service()
        try await service.upsertArticles([ArticleInput(id: "a", title: "A", body: "Body of A.", tags: ["topic:x"])])
        let store = try XCTUnwrap(service.store as? SQLiteStore)
        try await store.pool.write { db in try db.execute(sql: "UPDATE articles SET tags = 'not json' WHERE id = 'a'") }
        let before = DataPathFailures.shared.count(.storedTags)
        let article = try XCTUnwrap(try store.article(id: "a"))
        XCTAssertEqual(article.tags, [])
        XCTAssertEqual(DataPathFailures.shared.count(.storedTags), before + 1)
        await service.close()
    }

    func testAnOutboxWhoseBookkeepingCannotBeWrittenIsCountedAndStopsTheDrain() async throws {
        let harness = try GapHarness()
        let service = try await harness.service()
        let store = try XCTUnwrap(service.store as? SQLiteStore)
        // An impression the core never gave: it refuses the feedback, and the outbox must then drop
        // (or count a failed attempt on) the row — which this trigger makes impossible.
        try store.write { w in
            try w.enqueue([.feedback(generation: service.currentGeneration, impression: 987_654_321, group: 1, outcome: 1,
                                     groupUsedInstead: nil, csat: nil)])
        }
        try await store.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER outbox_stuck_delete BEFORE DELETE ON core_outbox BEGIN SELECT RAISE(ABORT, 'disk says no'); END;
                CREATE TRIGGER outbox_stuck_update BEFORE UPDATE ON core_outbox BEGIN SELECT RAISE(ABORT, 'disk says no'); END;
                """)
        }
        let before = DataPathFailures.shared.count(.outboxRecord)
        let emptied = await service.deliverPending()   // returned at all: the drain did not spin on the same row
        XCTAssertFalse(emptied)
        XCTAssertEqual(DataPathFailures.shared.count(.outboxRecord), before + 1)
        XCTAssertEqual(try store.pendingOperationCount(), 1, "the row stays queued for a later delivery")
        await service.close()
    }

    func testEachPathIsCountedOnItsOwn() {
        let failures = DataPathFailures()
        failures.record(.aliasAdoption, POSIXError(.EIO), what: "test")
        failures.record(.aliasAdoption, POSIXError(.EIO), what: "test")
        failures.record(.gapCoverage, POSIXError(.EIO), what: "test")
        XCTAssertEqual(failures.count(.aliasAdoption), 2)
        XCTAssertEqual(failures.snapshot[.gapCoverage], 1)
        XCTAssertEqual(failures.snapshot[.outboxRecord], 0)
        XCTAssertEqual(failures.snapshot.count, DataPathFailure.allCases.count)
    }
}

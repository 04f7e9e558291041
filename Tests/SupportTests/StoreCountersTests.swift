import Foundation
import GRDB
import LoopdeskTestSupport
@testable import Support
import XCTest

/// The store's running counters (migration v3): they follow every write exactly, an existing
/// store is counted once when it is migrated, and reading them costs the same whatever the history.
final class StoreCountersTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "ldcount")
    }

    override func tearDown() {
        temporary = nil
    }

    /// `n` answers with scores spread over [0, 1.2], every third escalated, in one statement.
    private static func insertAnswers(_ db: Database, count n: Int) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO conversations (id, created_at, updated_at) VALUES ('c', 0, 0)")
        try db.execute(sql: """
            WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?)
            INSERT INTO answers (core_impression, generation, conversation_id, question, shown_groups, decision, reason,
                                 score, lower, upper, threshold, created_at)
            SELECT x, 1, 'c', 'q' || x, x'', CASE WHEN x % 3 = 0 THEN 'escalate' ELSE 'answer' END, 'r',
                   (x % 121) / 100.0, 0, 1, 0.5, x FROM i
            """, arguments: [n])
    }

    /// Writes of every kind the counters follow: answers, outcomes, outbox rows in and out, gaps opened, moved and closed.
    private static func workload(_ db: Database) throws {
        try insertAnswers(db, count: 500)
        try db.execute(sql: "INSERT INTO outcomes (answer_key, kind, created_at) SELECT key, CASE WHEN key % 2 = 0 THEN 'resolved' ELSE 'escalated' END, 0 FROM answers WHERE key <= 40")
        try db.execute(sql: "INSERT INTO outcomes (answer_key, kind, csat, created_at) VALUES (1, 'csat', 5, 0)")
        try db.execute(sql: "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 30) INSERT INTO core_outbox (operation, created_at) SELECT x'7b7d', 0 FROM i")
        try db.execute(sql: "DELETE FROM core_outbox WHERE seq % 3 = 0")
        for (kind, status) in [("gap", "open"), ("gap", "open"), ("gap", "closed"), ("bug", "open"), ("bug", "open")] {
            try db.execute(sql: "INSERT INTO gaps (kind, status, first_seen, last_seen, centroid) VALUES (?, ?, 0, 0, x'')", arguments: [kind, status])
        }
        try db.execute(sql: "UPDATE gaps SET status = 'closed' WHERE id = 1")
        try db.execute(sql: "UPDATE gaps SET status = 'open' WHERE id = 3")
        try db.execute(sql: "UPDATE gaps SET kind = 'gap' WHERE id = 4")
        try db.execute(sql: "UPDATE gaps SET count = 7 WHERE id = 5")
        try db.execute(sql: "DELETE FROM gaps WHERE id = 2")
    }

    /// The same figures, counted over the tables.
    private static func recount(_ db: Database) throws -> StoreCounters {
        var expected = StoreCounters()
        expected.asks = try Int.fetchOne(db, sql: "SELECT count(*) FROM answers") ?? -1
        expected.answered = try Int.fetchOne(db, sql: "SELECT count(*) FROM answers WHERE decision = 'answer'") ?? -1
        expected.escalated = try Int.fetchOne(db, sql: "SELECT count(*) FROM answers WHERE decision <> 'answer'") ?? -1
        expected.scoreSum = try Double.fetchOne(db, sql: "SELECT coalesce(sum(score), 0) FROM answers") ?? -1
        for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM outcomes GROUP BY kind") {
            expected.outcomes[OutcomeKind(rawValue: row["kind"])!] = row["n"]
        }
        expected.outboxPending = try Int.fetchOne(db, sql: "SELECT count(*) FROM core_outbox") ?? -1
        for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM gaps WHERE status = 'open' GROUP BY kind") {
            expected.openGaps[GapKind(rawValue: row["kind"])!] = row["n"]
        }
        let scores = try Double.fetchAll(db, sql: "SELECT score FROM answers")
        for score in scores {
            let index = StoreCounters.scoreBucketBounds.firstIndex { score <= $0 } ?? StoreCounters.scoreBucketBounds.count
            expected.scoreBuckets[index] += 1
        }
        return expected
    }

    private static func assertSame(_ counters: StoreCounters, _ expected: StoreCounters, file: StaticString = #filePath, line: UInt = #line) {
        var counters = counters
        XCTAssertEqual(counters.scoreSum, expected.scoreSum, accuracy: 1e-6, file: file, line: line)
        counters.scoreSum = expected.scoreSum
        counters.outcomes = counters.outcomes.filter { $0.value != 0 }
        counters.openGaps = counters.openGaps.filter { $0.value != 0 }
        XCTAssertEqual(counters, expected, file: file, line: line)
    }

    func testTheCountersFollowEveryWrite() throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        XCTAssertEqual(try store.counters(), StoreCounters())
        try store.pool.write { db in try Self.workload(db) }
        let expected = try store.pool.read { db in try Self.recount(db) }
        XCTAssertEqual(expected.asks, 500)
        XCTAssertEqual(expected.outboxPending, 20)
        XCTAssertEqual(expected.openGaps, [.gap: 2, .bug: 1])
        Self.assertSame(try store.counters(), expected)
        XCTAssertEqual(try store.pendingOperationCount(), 20)
        // A rolled-back write counts nothing.
        XCTAssertThrowsError(try store.pool.write { db in
            try Self.insertAnswers(db, count: 10)
            throw POSIXError(.ECANCELED)
        })
        Self.assertSame(try store.counters(), expected)
    }

    func testAStoreWithHistoryIsCountedOnceWhenMigrated() throws {
        let path = directory.appendingPathComponent("old.sqlite").path
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteSchema.migrator.migrate(pool, upTo: "v2: gaps, bug clusters, webhook outbox")
            try pool.write { db in try Self.workload(db) }
        }
        let store = try SQLiteStore(path: path)
        let expected = try store.pool.read { db in try Self.recount(db) }
        Self.assertSame(try store.counters(), expected)
        try store.pool.write { db in try Self.insertAnswers(db, count: 3) }
        XCTAssertEqual(try store.counters().asks, expected.asks + 3)
    }

    func testReadingTheCountersDoesNotGrowWithTheHistory() throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("big.sqlite").path)
        try store.pool.write { db in try Self.insertAnswers(db, count: 300_000) }
        // Time the read against a plain pass over the history: the old `/metrics` replayed it
        // answer by answer; the counters are a few dozen rows.
        let scanStart = ContinuousClock.now
        let scanned = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT score FROM answers ORDER BY key)") }
        let scan = ContinuousClock.now - scanStart
        XCTAssertEqual(scanned, 300_000)
        var fastest = Duration.seconds(3600)
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let counters = try store.counters()
            fastest = min(fastest, ContinuousClock.now - start)
            XCTAssertEqual(counters.asks, 300_000)
        }
        XCTAssertLessThan(fastest * 10, scan, "reading the counters (\(fastest)) should cost far less than one pass over 300,000 answers (\(scan))")
    }
}

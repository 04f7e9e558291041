import Foundation
import LoopdeskTestSupport
@testable import Support
@testable import SupportPostgres
import XCTest

/// The store contract (``StoreContractTests``) against ``PostgresStore`` on a real server
/// (``PostgresTestServer``), a fresh schema per test; and what only a shared store does:
/// several stores on one schema, schemas apart, writers taking turns, the same reads as SQLite.
final class PostgresStoreContractTests: StoreContractTests {
    private var opened: [PostgresStore] = []

    /// The test process's server; skips the test when PostgreSQL is not installed.
    static func server() throws -> PostgresTestServer {
        do {
            return try PostgresTestServer.shared()
        } catch PostgresTestServer.Failure.binariesNotFound {
            throw XCTSkip(PostgresTestServer.Failure.binariesNotFound.description)
        }
    }

    /// A store on `schema` (a fresh one when nil), closed after the test.
    func open(schema: String? = nil, maximumConnections: Int = 2, timeout: TimeInterval = 30) throws -> PostgresStore {
        let server = try Self.server()
        let store = try PostgresStore.open(url: server.url(), schema: schema ?? server.freshSchemaName("contract"),
                                           maximumConnections: maximumConnections, timeout: timeout)
        opened.append(store)
        return store
    }

    override func makeStore() throws -> any SupportStore {
        try open()
    }

    override func releaseStore() {
        for store in opened { store.close() }
        opened = []
    }

    // MARK: A shared store

    func testTwoStoresOnOneSchemaSeeEachOthersWrites() throws {
        let schema = try Self.server().freshSchemaName("shared")
        let one = try open(schema: schema), two = try open(schema: schema)
        try F.articles(one, ["a1"])
        XCTAssertEqual(try two.article(id: "a1")?.title, "Title a1")
        let answer = try F.ask(two, F.answer())
        try one.write { w in try w.insertOutcome(F.outcome(answer, .resolved, event: "e1")) }
        XCTAssertTrue(try two.hasEvent(id: "e1"))
        XCTAssertThrowsError(try two.write { w in try w.insertOutcome(F.outcome(answer, .resolved, event: "e1")) },
                             "the event id is unique across the services of a workspace")
        try two.write { w in try w.setValue("5", forKey: "generation") }
        XCTAssertEqual(try one.value(forKey: "generation"), "5")
        XCTAssertEqual(try one.counters(), try two.counters())
        XCTAssertEqual(try one.counters().asks, 1)
    }

    func testAnAskIsRecordedWhileAWriterHoldsTheWriteLock() throws {
        // The ask's write takes no turn among writers: inside another transaction that holds the
        // schema's write lock, it still commits at once (a lock would wait out the timeout).
        let store = try open(maximumConnections: 2, timeout: 5)
        let question = ConversationTurn(role: .customer, text: "where is my invoice", answerKey: nil, createdAt: F.monday)
        let reply = ConversationTurn(role: .service, text: "Billing > Invoices", answerKey: nil, createdAt: F.monday)
        let key = try store.write { w -> Int64 in
            try w.setValue("held", forKey: "lock.test")
            return try store.recordAsked(F.answer(), context: [:], customerTurn: question, serviceTurn: reply)
        }
        XCTAssertEqual(try store.answer(key: key)?.question, F.answer().question)
        XCTAssertEqual(try store.conversationTurns(id: "c1").map(\.answerKey), [nil, key])
    }

    func testSchemasAreIsolated() throws {
        let left = try open(), right = try open()
        let leftArticles = try F.articles(left, ["a1", "a2"])
        let rightArticles = try F.articles(right, ["a1"], tags: ["topic:shipping"])
        XCTAssertEqual(leftArticles.first?.key, rightArticles.first?.key, "each schema numbers its own rows")
        XCTAssertEqual(try left.articleCount(), 2)
        XCTAssertEqual(try right.articleCount(), 1)
        XCTAssertEqual(try left.article(id: "a1")?.tags, ["topic:billing"])
        XCTAssertEqual(try right.article(id: "a1")?.tags, ["topic:shipping"])
        XCTAssertNil(try right.article(id: "a2"))
        _ = try F.ask(left, F.answer())
        XCTAssertEqual(try left.counters().asks, 1)
        XCTAssertEqual(try right.counters().asks, 0, "the counters' triggers write their own schema's table")
    }

    func testWritersOfOneSchemaTakeTurns() throws {
        let schema = try Self.server().freshSchemaName("turns")
        let stores = [try open(schema: schema), try open(schema: schema)]
        let rounds = 15
        let failures = NSLockedArray()
        DispatchQueue.concurrentPerform(iterations: stores.count) { index in
            for round in 0..<rounds {
                do {
                    // Read-then-write: without the workspace's write lock two would insert the same id at once.
                    _ = try stores[index].write { w in
                        try w.upsertArticles([ArticleInput(id: "shared", title: "T", body: "\(index)-\(round)")], origin: .knowledgeBase,
                                             status: .published, evidence: nil, at: F.monday)
                    }
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        XCTAssertEqual(failures.values, [])
        XCTAssertEqual(try stores[0].article(id: "shared")?.version, stores.count * rounds)
        XCTAssertEqual(try stores[1].articleVersions(key: try XCTUnwrap(try stores[1].article(id: "shared")).key).count, stores.count * rounds - 1)
    }

    func testReadsAreTheSameAsSQLite() throws {
        let postgres = try open()
        let directory = try TemporaryDirectory(prefix: "ldmirror")
        let sqlite = try SQLiteStore(path: directory.file("mirror.sqlite"))
        XCTAssertEqual(try StoreWorkload.write(into: postgres).answers, try StoreWorkload.write(into: sqlite).answers)
        let expected = try StoreWorkload.reads(of: sqlite)
        let actual = try StoreWorkload.reads(of: postgres)
        XCTAssertEqual(actual.count, expected.count)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e) }
    }

    // MARK: Opening, migrating, failing

    func testReopeningMigratesNothingAndRecordsEveryVersion() throws {
        let schema = try Self.server().freshSchemaName("reopen")
        let first = try open(schema: schema)
        try F.articles(first, ["a1"])
        first.close()
        let again = try open(schema: schema)
        XCTAssertEqual(try again.article(id: "a1")?.id, "a1")
        let versions = try again.read { session in
            try session.rows("SELECT version FROM schema_migrations ORDER BY version").map { row -> Int in try row["version"] }
        }
        XCTAssertEqual(versions, Array(1...PostgresSchema.migrations.count))
        XCTAssertEqual(try again.pool.withSession { session in try PostgresSchema.migrate(session, schema: schema) }, [])
        XCTAssertThrowsError(try first.article(id: "a1"), "a closed store refuses calls") { error in
            guard case .storeFailure? = error as? SupportError else { return XCTFail("\(error)") }
        }
    }

    func testAnUnreachableServerIsStorageUnavailable() throws {
        XCTAssertThrowsError(try PostgresStore.open(url: "postgres://nobody@/db?host=/tmp/no-such-postgres-dir", schema: "x")) { error in
            guard case .storageUnavailable? = error as? SupportError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PostgresStore.open(url: "mysql://u@h/db")) { error in
            guard case .storeFailure? = error as? SupportError else { return XCTFail("\(error)") }
        }
    }

    func testALostConnectionIsStorageUnavailableAndReplaced() throws {
        let store = try open(maximumConnections: 1, timeout: 2), killer = try open()
        try F.articles(store, ["a1"])
        func backend() throws -> Int32 { try store.read { session in try XCTUnwrap(try session.row("SELECT pg_backend_pid() AS pid"))["pid"] } }
        func terminate(_ pid: Int32) throws {
            _ = try killer.read { session in try session.rows("SELECT pg_terminate_backend($1)", [pid]) }
        }
        // Lost between calls: the next call either finds it closed and opens another, or fails as
        // storage unavailable (the loss not seen yet); the call after that works.
        let first = try backend()
        try terminate(first)
        Thread.sleep(forTimeInterval: 0.2)
        do {
            let found = try store.article(id: "a1")
            XCTAssertEqual(found?.id, "a1")
        } catch {
            guard case .storageUnavailable? = error as? SupportError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try store.article(id: "a1")?.id, "a1")
        XCTAssertNotEqual(try backend(), first)
        // Lost inside a write: nothing of it is committed.
        let second = try backend()
        XCTAssertThrowsError(try store.write { w in
            try w.setValue("1", forKey: "lost")
            try terminate(second)
            Thread.sleep(forTimeInterval: 0.2)
            try w.setValue("2", forKey: "lost")
        }) { error in
            guard case .storageUnavailable? = error as? SupportError else { return XCTFail("\(error)") }
        }
        XCTAssertNil(try store.value(forKey: "lost"))
    }

    func testABodyThatSwallowsAFailedStatementCommitsNothing() throws {
        let store = try open()
        let answer = try F.ask(store, F.answer())
        XCTAssertThrowsError(try store.write { w in
            try w.setValue("1", forKey: "k")
            do {
                // No such answer: the foreign key fails the statement, and PostgreSQL aborts the transaction.
                try w.insertOutcome(F.outcome(answer + 1000, .resolved, event: "e1"))
            } catch {}   // the store must not report a commit
        })
        XCTAssertNil(try store.value(forKey: "k"))
    }
}

/// Strings appended from several threads.
private final class NSLockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

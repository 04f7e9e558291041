import Foundation
import GRDB
import LoopdeskTestSupport
@testable import Support
import Wire
import XCTest

/// A disk that cannot take a write — the store's (SQLite says SQLITE_FULL) or the core's
/// (it answers STORAGE_FAILURE) — is `storage_unavailable`, 503 with a long Retry-After:
/// nothing of the request was recorded, the caller should come back, and the store goes
/// on serving reads and takes writes again once there is room.
final class StorageUnavailableTests: XCTestCase {
    func testAFullStoreRefusesTheWriteAsStorageUnavailableAndRecoversWhenThereIsRoom() throws {
        let directory = try TemporaryDirectory(prefix: "ldfull")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("full.sqlite"))
        let now = Date()
        _ = try store.write { try $0.upsertArticles([ArticleInput(id: "kept", title: "Kept", body: "Stored before the disk filled.")],
                                                   origin: .knowledgeBase, status: .published, evidence: nil, at: now) }
        // SQLite answers SQLITE_FULL at max_page_count exactly as on a full disk.
        let pages = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
        try store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let big = String(repeating: "a long body that needs new pages ", count: 4000)
        XCTAssertThrowsError(try store.write { try $0.upsertArticles([ArticleInput(id: "big", title: "Big", body: big)],
                                                                     origin: .knowledgeBase, status: .published, evidence: nil, at: now) }) { error in
            guard case let .storageUnavailable(why, retryAfter)? = error as? SupportError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("store cannot write to its disk"), why)
            XCTAssertEqual(retryAfter, SupportError.storageRetryAfterSeconds)
            XCTAssertEqual((error as! SupportError).httpStatus, 503)
            XCTAssertEqual((error as! SupportError).code, "storage_unavailable")
        }
        // Rolled back whole; reads go on.
        XCTAssertNil(try store.article(id: "big"))
        XCTAssertEqual(try store.article(id: "kept")?.title, "Kept")
        // Room again: the same write succeeds.
        try store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        _ = try store.write { try $0.upsertArticles([ArticleInput(id: "big", title: "Big", body: big)], origin: .knowledgeBase, status: .published, evidence: nil, at: now) }
        XCTAssertEqual(try store.article(id: "big")?.body, big)
    }

    func testOtherStoreErrorsAreNotTakenForAFullDisk() throws {
        XCTAssertTrue(SQLiteStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_FULL)))
        XCTAssertTrue(SQLiteStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_IOERR_WRITE)))
        XCTAssertFalse(SQLiteStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_CONSTRAINT)))
        XCTAssertFalse(SQLiteStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_BUSY)))
    }

    func testTheCoresStorageFailureIsStorageUnavailableNotACoreFailure() {
        let error = CoreGateway.storageUnavailable(WireError(.storageFailure, "kb: write wal-7.log: No space left on device"))
        guard case let .storageUnavailable(why, retryAfter) = error else { return XCTFail("\(error)") }
        XCTAssertTrue(why.contains("No space left on device"), why)
        XCTAssertEqual(retryAfter, 30)
        XCTAssertEqual(error.httpStatus, 503)
        XCTAssertTrue(error.description.hasSuffix("nothing of this request was recorded; retry in 30 s"), error.description)
    }
}

import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// The store contract (``StoreContractTests``) against ``SQLiteStore``, a fresh file per test.
final class SQLiteStoreContractTests: StoreContractTests {
    private var temporary: TemporaryDirectory?

    override func makeStore() throws -> any SupportStore {
        let directory = try TemporaryDirectory(prefix: "ldcontract")
        temporary = directory
        return try SQLiteStore(path: directory.file("store.sqlite"))
    }

    override func releaseStore() {
        temporary = nil
    }

    // XCTest's discovery on Linux lists a subclass's inherited tests only when it declares one of its own.
    func testReopeningTheFileKeepsEverything() throws {
        let directory = try XCTUnwrap(temporary)
        try StoreWorkload.write(into: store)
        let before = try StoreWorkload.reads(of: store)
        let reopened = try SQLiteStore(path: directory.file("store.sqlite"))
        XCTAssertEqual(try StoreWorkload.reads(of: reopened), before)
    }
}

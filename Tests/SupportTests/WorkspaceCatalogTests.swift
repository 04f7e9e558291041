import Foundation
import LoopdeskTestSupport
import Support
import XCTest

/// The SQLite workspace catalog and storage: names, hashed tokens, deletion, files.
final class WorkspaceCatalogTests: XCTestCase {
    func testTokensAreStoredHashedAndDieWithTheirWorkspace() throws {
        let directory = try TemporaryDirectory(prefix: "ldcatalog")
        defer { directory.remove() }
        let storage = try SQLiteWorkspaceStorage(defaultPath: directory.file("loopdesk.sqlite"))
        let catalog = storage.catalog
        let acme = try WorkspaceName("acme")
        let token = WorkspaceToken.mint()
        XCTAssertTrue(token.hasPrefix("ldw_"))
        XCTAssertEqual(token.count, 4 + 43)
        XCTAssertNotEqual(WorkspaceToken.mint(), token)
        try catalog.createWorkspace(acme, tokenHash: WorkspaceToken.hash(of: token), at: Date(timeIntervalSince1970: 100))
        XCTAssertThrowsError(try catalog.createWorkspace(acme, tokenHash: "other", at: Date())) { error in
            XCTAssertEqual(error as? SupportError, .workspaceExists("acme"))
        }
        XCTAssertEqual(try catalog.scope(ofTokenHash: WorkspaceToken.hash(of: token)), .workspace(acme))
        XCTAssertNil(try catalog.scope(ofTokenHash: WorkspaceToken.hash(of: token + "x")))
        XCTAssertEqual(try catalog.workspaces(), [WorkspaceRecord(name: acme, createdAt: Date(timeIntervalSince1970: 100))])
        // The file holds the hash, never the token.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: storage.folder.appendingPathComponent("catalog.sqlite").path))
            + ((try? Data(contentsOf: storage.folder.appendingPathComponent("catalog.sqlite-wal"))) ?? Data())
        XCTAssertNil(bytes.range(of: Data(token.utf8)), "the token is in the catalog's file in clear")
        try catalog.addToken(hash: "admin-hash", scope: .admin, at: Date())
        XCTAssertEqual(try catalog.scope(ofTokenHash: "admin-hash"), .admin)
        XCTAssertTrue(try catalog.deleteWorkspace(acme))
        XCTAssertFalse(try catalog.deleteWorkspace(acme))
        XCTAssertNil(try catalog.scope(ofTokenHash: WorkspaceToken.hash(of: token)))
        XCTAssertEqual(try catalog.scope(ofTokenHash: "admin-hash"), .admin, "an admin token is no workspace's")
    }

    func testEachWorkspaceHasAFileOfItsOwnAndRemovingItTakesOnlyThat() throws {
        let directory = try TemporaryDirectory(prefix: "ldstorage")
        defer { directory.remove() }
        let storage = try SQLiteWorkspaceStorage(defaultPath: directory.file("loopdesk.sqlite"))
        let acme = try WorkspaceName("acme"), catalogLike = try WorkspaceName("catalog")
        XCTAssertEqual(storage.location(of: .default), directory.file("loopdesk.sqlite"))
        XCTAssertNotEqual(storage.location(of: catalogLike), storage.folder.appendingPathComponent("catalog.sqlite").path,
                          "a workspace named catalog must not be the catalog's file")
        let store = try storage.openStore(for: acme)
        try store.write { w in try w.setValue("acme's", forKey: "probe") }
        let other = try storage.openStore(for: catalogLike)
        XCTAssertNil(try other.value(forKey: "probe"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: storage.location(of: acme)))
        try storage.removeStore(for: acme)
        XCTAssertFalse(FileManager.default.fileExists(atPath: storage.location(of: acme)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: storage.location(of: acme) + "-wal"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: storage.location(of: catalogLike)))
        XCTAssertThrowsError(try storage.removeStore(for: .default))
    }
}

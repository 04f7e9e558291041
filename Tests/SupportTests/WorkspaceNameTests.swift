import Support
import XCTest

/// Which workspace names are accepted, and the collections and placement they lead to.
final class WorkspaceNameTests: XCTestCase {
    func testNamesFollowTheCollectionAndFileRules() throws {
        for good in ["acme", "a", "client-42", "eu_west", "0day", String(repeating: "x", count: 40)] {
            XCTAssertEqual(try WorkspaceName(good).rawValue, good)
        }
        for bad in ["", "Acme", "a.b", "a/b", "../etc", "-lead", "_lead", "é", "a b", String(repeating: "x", count: 41)] {
            XCTAssertThrowsError(try WorkspaceName(bad), bad) { error in
                guard case SupportError.invalidRequest(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("workspace name"), message)
            }
        }
    }

    func testCollectionsAreTheWorkspacesOwnAndTheDefaultKeepsItsOld() throws {
        XCTAssertEqual(WorkspaceName.default.knowledgeBaseCollection, "kb")
        XCTAssertEqual(WorkspaceName.default.gapCollection, "gaps")
        let acme = try WorkspaceName("acme")
        XCTAssertEqual(acme.knowledgeBaseCollection, "acme.kb")
        XCTAssertEqual(acme.gapCollection, "acme.gaps")
        // The longest name still makes a collection name the core accepts (≤ 64 bytes).
        XCTAssertLessThanOrEqual(try WorkspaceName(String(repeating: "z", count: 40)).gapCollection.utf8.count, 64)
    }

    func testScopesAllowTheirOwnWorkspaceOnly() throws {
        let acme = try WorkspaceName("acme"), globex = try WorkspaceName("globex")
        XCTAssertTrue(TokenScope.admin.allows(acme))
        XCTAssertTrue(TokenScope.admin.allows(.default))
        XCTAssertTrue(TokenScope.workspace(acme).allows(acme))
        XCTAssertFalse(TokenScope.workspace(acme).allows(globex))
        XCTAssertFalse(TokenScope.workspace(acme).allows(.default))
    }

    func testPlacementPutsUnnamedWorkspacesOnTheDefaultCore() throws {
        let acme = try WorkspaceName("acme"), globex = try WorkspaceName("globex")
        let placement = try CorePlacement(cores: ["a": "/run/a.sock", "b": "/run/b.sock"], defaultCore: "a", assignments: [globex: "b"])
        XCTAssertEqual(placement.socket(for: acme), "/run/a.sock")
        XCTAssertEqual(placement.socket(for: globex), "/run/b.sock")
        XCTAssertEqual(placement.coreName(for: .default), "a")
        XCTAssertThrowsError(try CorePlacement(cores: ["a": "/run/a.sock"], defaultCore: "z"))
        XCTAssertThrowsError(try CorePlacement(cores: ["a": "/run/a.sock"], defaultCore: "a", assignments: [acme: "nowhere"]))
    }
}

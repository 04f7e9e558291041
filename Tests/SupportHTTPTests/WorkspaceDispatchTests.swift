@testable import SupportHTTP
import XCTest

/// How `/v1/w/{workspace}/…` is split into a workspace and the path its router serves.
final class WorkspaceDispatchTests: XCTestCase {
    func testWorkspacePathsAreServedAsTheirV1Paths() {
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w/acme/ask")?.workspace, "acme")
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w/acme/ask")?.path, "/v1/ask")
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w/acme/articles?limit=5")?.path, "/v1/articles?limit=5")
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w/acme?x=1")?.workspace, "acme")
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w/acme?x=1")?.path, "/v1?x=1")
        XCTAssertEqual(WorkspaceDispatchMiddleware.target(of: "/v1/w//ask")?.workspace, "", "an empty name is refused by WorkspaceName")
        XCTAssertNil(WorkspaceDispatchMiddleware.target(of: "/v1/ask"))
        XCTAssertNil(WorkspaceDispatchMiddleware.target(of: "/v1/workspaces"))
        XCTAssertNil(WorkspaceDispatchMiddleware.target(of: "/dashboard"))
    }
}

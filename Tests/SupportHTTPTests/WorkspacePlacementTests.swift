import Embedding
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LoopdeskTestSupport
import Support
import SupportHTTP
import Wire
import XCTest

/// Workspaces on two cores (`--core NAME=SOCKET`, `--place WORKSPACE=CORE`): each workspace's
/// collections are on its own core, and a core that is down fails only its workspaces.
final class WorkspacePlacementTests: XCTestCase {
    func testACoreThatIsDownAffectsOnlyItsWorkspaces() async throws {
        let directory = try TemporaryDirectory(prefix: "ldplace")
        defer { directory.remove() }
        let main = try RunningCore(socketPath: directory.file("a.sock"), dataPath: directory.file("core-a"), logLevel: .critical)
        let big = try RunningCore(socketPath: directory.file("b.sock"), dataPath: directory.file("core-b"), logLevel: .critical)
        var logger = Logger(label: "test.placement")
        logger.logLevel = .critical
        let placement = try CorePlacement(cores: ["main": main.socketPath, "big": big.socketPath], defaultCore: "main",
                                          assignments: [try WorkspaceName("acme"): "big"])
        let workspaces = try Workspaces(storage: try SQLiteWorkspaceStorage(defaultPath: directory.file("loopdesk.sqlite")),
                                        placement: placement, embedder: HashedEmbedder(), clock: SystemClock(),
                                        configuration: SupportConfiguration(), logger: logger, backgroundDelivery: false)
        let app = LoopdeskHTTPServer.buildApplication(workspaces: workspaces, configuration: LoopdeskHTTPConfiguration(token: APIHarness.token),
                                                      logger: logger)
        try await app.test(.router) { client in
            let api = APIClient(client: client)
            for name in ["acme", "globex"] {
                expectStatus(try await api.post("/v1/workspaces", json: ["name": name]), 201)
                expectStatus(try await api.post("/v1/w/\(name)/articles", json: WorkspaceIsolationTests.articles(name.capitalized)), 200)
            }
            let listed = try await api.send(.get, "/v1/workspaces")
            let cores = Dictionary(uniqueKeysWithValues: (listed.json["workspaces"] as? [[String: Any]] ?? []).compactMap { entry in
                (entry["workspace"] as? String).map { ($0, entry["core"] as? String ?? "") }
            })
            XCTAssertEqual(cores, ["default": "main", "acme": "big", "globex": "main"])
            let onBig = try await Self.collections(big.socketPath), onMain = try await Self.collections(main.socketPath)
            XCTAssertNotNil(onBig["acme.kb"], "\(onBig)")
            XCTAssertNil(onMain["acme.kb"], "\(onMain)")
            XCTAssertNotNil(onMain["globex.kb"], "\(onMain)")

            _ = big.stop()
            let ask = ["text": "How do I get a refund for my annual plan?"]
            let down = try await api.post("/v1/w/acme/ask", json: ask)
            XCTAssertEqual(down.status, 503, down.text)
            XCTAssertEqual(down.errorCode, "core_unavailable")
            expectStatus(try await api.post("/v1/w/globex/ask", json: ask), 200, "a workspace on the other core keeps answering")
            expectStatus(try await api.post("/v1/ask", json: ask), 200, "the default workspace keeps answering")
            let refused = try await api.send(.delete, "/v1/workspaces/acme")
            XCTAssertEqual(refused.status, 503, "deleting needs its core: \(refused.text)")
            try big.start()
            expectStatus(try await api.post("/v1/w/acme/ask", json: ask), 200, "back once its core is")
            expectStatus(try await api.send(.delete, "/v1/workspaces/acme"), 200)
        }
        await workspaces.close()
        _ = main.stop()
        _ = big.stop()
    }

    static func collections(_ socket: String) async throws -> [String: UInt64] {
        let client = try await LoopdeskClient.connect(socketPath: socket, clientName: "test placement")
        defer { client.close() }
        return Dictionary(try await client.listCollections().map { ($0.name, $0.count) }, uniquingKeysWith: { a, _ in a })
    }
}

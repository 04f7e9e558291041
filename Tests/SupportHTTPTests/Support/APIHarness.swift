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

/// A real core on a temporary socket, a service over a temporary SQLite file, and the HTTP app, for one test.
final class APIHarness: @unchecked Sendable {
    static let token = "test-token-7f3a"
    private let directory: TemporaryDirectory
    private let core: RunningCore
    /// The deployment's workspaces, over a workspace folder beside the default store (as `serve` runs).
    let workspaces: Workspaces
    /// The default workspace's service.
    var service: SupportService { workspaces.defaultService }
    let app: Application<RouterResponder<LoopdeskRequestContext>>

    init(token: String? = APIHarness.token, configure: (inout LoopdeskHTTPConfiguration) -> Void = { _ in },
         support: (inout SupportConfiguration) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory(prefix: "ldhttp")
        var logger = Logger(label: "test.http")
        logger.logLevel = .critical
        var supportConfiguration = SupportConfiguration()
        support(&supportConfiguration)
        workspaces = try Workspaces(storage: try SQLiteWorkspaceStorage(defaultPath: directory.file("loopdesk.sqlite")),
                                    placement: CorePlacement(socket: directory.file("core.sock")), embedder: HashedEmbedder(),
                                    clock: SystemClock(), configuration: supportConfiguration, logger: logger,
                                    backgroundDelivery: false)
        var configuration = LoopdeskHTTPConfiguration(token: token)
        configure(&configuration)
        app = LoopdeskHTTPServer.buildApplication(workspaces: workspaces, configuration: configuration, logger: logger)
        core = try RunningCore(in: directory, logLevel: .critical)
    }

    /// Starts the core again on the same socket and data directory.
    func startCore() throws { try core.start() }

    /// Stops the core gracefully (it snapshots what it learned).
    func stopCore() { core.stop() }

    func close() async {
        await workspaces.close()
        stopCore()
        directory.remove()
    }

    /// Runs `body` against the app through HummingbirdTesting's router framework.
    func test(_ body: @Sendable (APIClient) async throws -> Void) async throws {
        try await app.test(.router) { client in try await body(APIClient(client: client)) }
    }

    /// The ranker's count of `resolved` feedback in the core's STATS.
    /// The core's collections and their live vector counts.
    func coreCollections() async throws -> [String: UInt64] {
        let client = try await LoopdeskClient.connect(socketPath: core.socketPath, clientName: "test list")
        defer { client.close() }
        return Dictionary(try await client.listCollections().map { ($0.name, $0.count) }, uniquingKeysWith: { a, _ in a })
    }

    func resolvedFeedbackCount() async throws -> Int {
        let client = try await LoopdeskClient.connect(socketPath: core.socketPath, clientName: "test stats")
        defer { client.close() }
        let json = try await client.stats(collection: service.configuration.collection)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let collection = (object?["collections"] as? [String: Any])?[service.configuration.collection] as? [String: Any]
        let model = (collection?["ranking"] as? [String: Any])?["model"] as? [String: Any]
        let feedback = model?["feedback"] as? [String: Any]
        return (feedback?["resolved"] as? NSNumber)?.intValue ?? 0
    }
}

/// A response: status, headers and the JSON body as a dictionary.
struct APIResponse {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends requests with or without the token.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    func send(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, token: String? = APIHarness.token,
              headers extra: HTTPFields = [:]) async throws -> APIResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers,
                                                       body: body.map { ByteBuffer(string: $0) })
        return APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(bytesOf: response.body))
    }

    func post(_ path: String, json value: Any, token: String? = APIHarness.token) async throws -> APIResponse {
        let data = try JSONSerialization.data(withJSONObject: value)
        return try await send(.post, path, body: String(decoding: data, as: UTF8.self), token: token)
    }

    /// Imports a small knowledge base through `POST /v1/articles`.
    func importSampleArticles() async throws {
        let response = try await post("/v1/articles", json: APISamples.articles)
        XCTAssertEqual(response.status, 200, response.text)
    }
}

enum APISamples {
    nonisolated(unsafe) static let articles: [[String: Any]] = [
        ["id": "reset-password", "title": "Reset your password",
         "body": "Open Settings, choose Security, then Reset password. We email you a link that is valid for one hour.",
         "tags": ["topic:account"]],
        ["id": "refund-policy", "title": "Refunds for annual plans",
         "body": "Annual plans are refunded in full within 30 days of purchase. Write to billing to ask for a refund.",
         "tags": ["topic:billing"]],
        ["id": "export-data", "title": "Export your data as CSV",
         "body": "Go to Reports, pick a date range and press Export. The CSV file arrives by email.",
         "tags": ["topic:reports"]],
    ]
}

extension Data {
    init(bytesOf buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}

/// Polls `condition` until it holds, or fails after `seconds`.
func eventually(_ what: String, within seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line,
                _ condition: () async throws -> Bool) async throws {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    XCTFail("timed out waiting for: \(what)", file: file, line: line)
}

/// Runs `body` with a fresh harness and the app's test client, then closes the harness.
func withAPI(token: String? = APIHarness.token, configure: (inout LoopdeskHTTPConfiguration) -> Void = { _ in },
             support: (inout SupportConfiguration) -> Void = { _ in },
             _ body: @Sendable (APIHarness, APIClient) async throws -> Void) async throws {
    let harness = try await APIHarness(token: token, configure: configure, support: support)
    do {
        try await harness.test { api in try await body(harness, api) }
    } catch {
        await harness.close()
        throw error
    }
    await harness.close()
}

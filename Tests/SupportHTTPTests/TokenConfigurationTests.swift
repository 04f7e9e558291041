import Foundation
@testable import SupportHTTP
import XCTest

/// An empty token is refused at start, never read as "no token"; a service built with one
/// anyway lets nothing through, the dashboard's empty `?token=` included.
final class TokenConfigurationTests: XCTestCase {
    func testAnEmptyTokenIsRefusedNotTakenAsNone() throws {
        for option in ["", " ", "\t"] {
            XCTAssertThrowsError(try LoopdeskHTTPConfiguration.resolveToken(option: option, environment: ["LOOPDESK_TOKEN": "s3cret"])) {
                XCTAssertTrue("\($0)".contains("--token is empty"), "\($0)")
            }
        }
        XCTAssertThrowsError(try LoopdeskHTTPConfiguration.resolveToken(option: nil, environment: ["LOOPDESK_TOKEN": ""])) {
            XCTAssertTrue("\($0)".contains("LOOPDESK_TOKEN is set but empty"), "\($0)")
        }
        XCTAssertNil(try LoopdeskHTTPConfiguration.resolveToken(option: nil, environment: [:]))
        XCTAssertEqual(try LoopdeskHTTPConfiguration.resolveToken(option: nil, environment: ["LOOPDESK_TOKEN": "from-env"]), "from-env")
        XCTAssertEqual(try LoopdeskHTTPConfiguration.resolveToken(option: "flag", environment: ["LOOPDESK_TOKEN": "from-env"]), "flag")
    }

    /// `loopdesk serve --token ""` and `LOOPDESK_TOKEN= loopdesk serve` exit at once with the reason.
    func testTheCLIRefusesToStartWithAnEmptyToken() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let binary = root.appendingPathComponent(".build/debug/loopdesk")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("\(binary.path) is not built (swift build --build-tests builds it)")
        }
        for (arguments, environment, expected) in [
            (["--token", ""], [String: String](), "--token is empty"),
            ([], ["LOOPDESK_TOKEN": ""], "LOOPDESK_TOKEN is set but empty"),
        ] {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["serve", "--core", "/nonexistent/core.sock", "--db", "/nonexistent/loopdesk.sqlite"] + arguments
            var env = ProcessInfo.processInfo.environment
            env["LOOPDESK_TOKEN"] = nil
            for (key, value) in environment { env[key] = value }
            process.environment = env
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = Pipe()
            try process.run()
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertNotEqual(process.terminationStatus, 0, output)
            XCTAssertTrue(output.contains(expected), output)
        }
    }

    func testAServiceBuiltWithAnEmptyTokenLetsNothingThrough() async throws {
        try await withAPI(token: "") { _, api in
            for path in ["/dashboard?token=", "/dashboard/gaps?token=", "/dashboard"] {
                let page = try await api.send(.get, path, token: nil)
                XCTAssertEqual(page.status, 401, path)
            }
            let emptyBearer = try await api.send(.get, "/dashboard", token: nil, headers: [.authorization: "Bearer "])
            XCTAssertEqual(emptyBearer.status, 401)
            let apiCall = try await api.send(.get, "/v1/articles", token: nil, headers: [.authorization: "Bearer "])
            XCTAssertEqual(apiCall.status, 401)
            let health = try await api.send(.get, "/v1/health", token: nil)
            XCTAssertEqual(health.status, 200, "still serving")
        }
    }

    func testTheDashboardRefusesAnEmptyQueryToken() async throws {
        try await withAPI { _, api in
            let empty = try await api.send(.get, "/dashboard?token=", token: nil)
            XCTAssertEqual(empty.status, 401)
            let good = try await api.send(.get, "/dashboard?token=\(APIHarness.token)", token: nil)
            XCTAssertEqual(good.status, 200)
        }
    }
}

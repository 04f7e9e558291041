import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SupportHTTP
import XCTest

/// A credential over its rate gets 429 with `Retry-After`, and only that credential does.
final class RateLimitTests: XCTestCase {
    func testATokenOverItsRateGets429WithRetryAfterAndOthersAreNotSlowed() async throws {
        let harness = try await APIHarness()
        var configuration = LoopdeskHTTPConfiguration(token: APIHarness.token)
        configuration.rateLimit = RequestRateLimit(requestsPerSecond: 2, burst: 3)
        let app = LoopdeskHTTPServer.buildApplication(service: harness.service, configuration: configuration)
        do {
            try await app.test(.router) { client in
                let api = APIClient(client: client)
                for index in 0..<3 {
                    let burstReply = try await api.send(.get, "/v1/articles")
                    XCTAssertEqual(burstReply.status, 200, "request \(index) of the burst")
                }
                let limited = try await api.send(.get, "/v1/articles")
                XCTAssertEqual(limited.status, 429)
                XCTAssertEqual(limited.errorCode, "rate_limited")
                let retry = try XCTUnwrap(limited.headers[.retryAfter].flatMap(Int.init))
                XCTAssertEqual(retry, 1, "one token comes back in half a second; Retry-After rounds up")
                XCTAssertTrue(limited.errorMessage.contains("2 requests per second"), limited.errorMessage)
                // Wrong tokens share the address's bucket, not the token's: they cannot borrow its rate, nor use it up.
                let wrongToken = try await api.send(.get, "/v1/articles", token: "guess-1")
                XCTAssertEqual(wrongToken.status, 401)
                let health = try await api.send(.get, "/v1/health", token: nil)
                XCTAssertEqual(health.status, 200)
                try await Task.sleep(nanoseconds: UInt64(retry) * 1_000_000_000)
                let again = try await api.send(.get, "/v1/articles")
                XCTAssertEqual(again.status, 200, "served again after Retry-After")
            }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    func testTheBucketRefillsAtTheRateUpToTheBurst() {
        let limiter = RequestRateLimiter(limit: RequestRateLimit(requestsPerSecond: 10, burst: 5), maxKeys: 2)
        let start = ContinuousClock.now
        for _ in 0..<5 { XCTAssertNil(limiter.admit("a", now: start)) }
        let wait = try? XCTUnwrap(limiter.admit("a", now: start))
        XCTAssertEqual(wait.map { Double($0.components.attoseconds) / 1e18 + Double($0.components.seconds) } ?? 0, 0.1, accuracy: 1e-6)
        XCTAssertNil(limiter.admit("a", now: start + .milliseconds(100)), "one token after 1/rate")
        XCTAssertNotNil(limiter.admit("a", now: start + .milliseconds(100)))
        XCTAssertNil(limiter.admit("b", now: start), "another key has its own bucket")
        // An hour of quiet refills to the burst, not beyond.
        let later = start + .seconds(3600)
        for _ in 0..<5 { XCTAssertNil(limiter.admit("a", now: later)) }
        XCTAssertNotNil(limiter.admit("a", now: later))
        // Made-up keys do not grow memory past the bound.
        for index in 0..<100 { _ = limiter.admit("made-up-\(index)", now: later) }
        XCTAssertLessThanOrEqual(limiter.keyCount, 2)
    }

    func testWithTheLimitOffNothingIsRefused() async throws {
        let harness = try await APIHarness()
        var configuration = LoopdeskHTTPConfiguration(token: APIHarness.token)
        configuration.rateLimit = nil
        let app = LoopdeskHTTPServer.buildApplication(service: harness.service, configuration: configuration)
        do {
            try await app.test(.router) { client in
                let api = APIClient(client: client)
                for _ in 0..<50 {
                    let health = try await api.send(.get, "/v1/health")
                    XCTAssertEqual(health.status, 200)
                }
            }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }
}

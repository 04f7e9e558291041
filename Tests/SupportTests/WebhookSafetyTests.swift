import Embedding
import Foundation
import Logging
import LoopdeskTestSupport
@testable import Support
import XCTest

/// Outgoing webhooks: signed with HMAC-SHA256 over the body, never redirected, https unless
/// the receiver is on loopback, and no URL in the logs or the stored errors (the host at most).
final class WebhookSafetyTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "ldhook")
    }

    override func tearDown() {
        temporary = nil
    }

    /// A store with one `bug.threshold` event queued, and a sender for it.
    private func sender(url: URL, secret: String? = nil, logs: CapturedLogs = CapturedLogs()) throws
        -> (WebhookSender, SQLiteStore, Data) {
        let store = try SQLiteStore(path: directory.appendingPathComponent("loopdesk.sqlite").path)
        let payload = Data(#"{"event":"bug.threshold","event_id":"evt-1","title":"Bug reports: export crashes"}"#.utf8)
        _ = try store.gapWrite { w in
            try w.enqueueWebhook(WebhookDelivery(eventID: "evt-1", kind: GapEvent.bugThreshold, gapID: 1, payload: payload,
                                                 nextAttemptAt: Date(), createdAt: Date()))
        }
        var configuration = GapConfiguration(environment: [:])
        configuration.bugWebhookURL = url
        configuration.webhookSecret = secret
        configuration.webhookBackoff = 60   // no retry within a test
        let logger = Logger(label: "test.webhooks") { _ in CapturingLogHandler(sink: logs) }
        return (WebhookSender(store: store, configuration: configuration, clock: SystemClock(), logger: logger), store, payload)
    }

    func testTheSignatureIsHMACSHA256OfTheBody() {
        // RFC 4231, test case 2.
        XCTAssertEqual(WebhookSignature.value(body: Data("what do ya want for nothing?".utf8), secret: "Jefe"),
                       "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let body = Data(#"{"a":1}"#.utf8)
        let signature = WebhookSignature.value(body: body, secret: "s3cret")
        XCTAssertTrue(WebhookSignature.isValid(signature, body: body, secret: "s3cret"))
        XCTAssertFalse(WebhookSignature.isValid(signature, body: Data(#"{"a":2}"#.utf8), secret: "s3cret"))
        XCTAssertFalse(WebhookSignature.isValid(signature, body: body, secret: "other"))
        XCTAssertFalse(WebhookSignature.isValid("sha256=zz", body: body, secret: "s3cret"))
    }

    func testEveryDeliveryCarriesTheSignatureOfItsExactBody() async throws {
        let receiver = try FakeWebhookReceiver()
        defer { receiver.stop() }
        let (sender, _, payload) = try sender(url: receiver.url, secret: "shared-secret")
        let delivered = await sender.deliverDue()
        await sender.stop()
        XCTAssertEqual(delivered, 1)
        let request = try XCTUnwrap(receiver.requests.first)
        XCTAssertEqual(request.body, payload)
        let signature = try XCTUnwrap(request.headers["x-loopdesk-signature"])
        XCTAssertEqual(signature, WebhookSignature.value(body: request.body, secret: "shared-secret"))
        XCTAssertTrue(WebhookSignature.isValid(signature, body: request.body, secret: "shared-secret"))
    }

    func testARedirectIsNotFollowed() async throws {
        let receiver = try FakeWebhookReceiver(statuses: [302])
        defer { receiver.stop() }
        let (sender, store, _) = try sender(url: receiver.url, secret: "shared-secret")
        let delivered = await sender.deliverDue()
        try await Task.sleep(nanoseconds: 500_000_000)
        await sender.stop()
        XCTAssertEqual(delivered, 0, "a 302 is not a delivery")
        XCTAssertEqual(receiver.requests.count, 1, "the redirect target was never called")
        let row = try XCTUnwrap(try store.webhookDeliveries(limit: 10).first)
        XCTAssertNil(row.deliveredAt)
        XCTAssertEqual(row.lastError, "HTTP 302: a redirect, not followed")
    }

    func testPlainHTTPIsAcceptedOnlyForLoopbackReceivers() async throws {
        for text in ["https://hooks.example.com/bugs", "http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]:8/x"] {
            var configuration = GapConfiguration(environment: [:])
            configuration.bugWebhookURL = URL(string: text)
            XCTAssertNoThrow(try configuration.validateWebhookURLs(), text)
        }
        for text in ["http://hooks.example.com/secret-path?key=abc", "http://10.0.0.5/x", "ftp://hooks.example.com/x", "http://127.0.0.1.example.com/x"] {
            var configuration = GapConfiguration(environment: [:])
            configuration.gapWebhookURL = URL(string: text)
            XCTAssertThrowsError(try configuration.validateWebhookURLs(), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("LOOPDESK_GAP_WEBHOOK (host "), message)
                XCTAssertFalse(message.contains("secret-path") || message.contains("key=abc"), message)
            }
        }
        let environment = ["LOOPDESK_BUG_WEBHOOK": "http://hooks.example.com/bugs"]
        let configuration = SupportConfiguration()
        var withHTTP = configuration
        withHTTP.gaps = GapConfiguration(environment: environment)
        do {
            _ = try await SupportService.open(databasePath: directory.appendingPathComponent("s.sqlite").path,
                                              coreSocket: directory.appendingPathComponent("core.sock").path,
                                              embedder: HashedEmbedder(), configuration: withHTTP)
            XCTFail("a service with a plain-http webhook to another host started")
        } catch let error as SupportError {
            XCTAssertTrue(error.description.contains("must be https://"), error.description)
        }
        // A sender handed such a URL anyway never sends to it.
        let (sender, store, _) = try sender(url: try XCTUnwrap(URL(string: "http://hooks.example.com/bugs")))
        let sentToHTTP = await sender.deliverDue()
        XCTAssertEqual(sentToHTTP, 0)
        await sender.stop()
        XCTAssertEqual(try store.webhookDeliveries(limit: 10).first?.lastError,
                       "not sent: must be https:// (plain http only to localhost, 127.0.0.1 or [::1])")
    }

    func testLogsAndStoredErrorsNameTheHostNotTheURL() async throws {
        let receiver = try FakeWebhookReceiver(statuses: [500])
        defer { receiver.stop() }
        let logs = CapturedLogs()
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(receiver.port)/hooks/secret-path-7f3a?token=abc123"))
        let (sender, store, _) = try sender(url: url, logs: logs)
        let failed = await sender.deliverDue()
        XCTAssertEqual(failed, 0)
        await sender.stop()
        XCTAssertEqual(receiver.requests.count, 1)
        let lines = logs.lines
        XCTAssertTrue(lines.contains { $0.contains("host 127.0.0.1") && $0.contains("HTTP 500") }, "\(lines)")
        for line in lines + [try store.webhookDeliveries(limit: 10).first?.lastError ?? ""] {
            XCTAssertFalse(line.contains("secret-path-7f3a") || line.contains("abc123") || line.contains("http://"), line)
        }
    }
}

/// Log lines a test reads back.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

/// A log handler that keeps every message, metadata included.
struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let extra = (event.metadata ?? [:]).merging(metadata) { a, _ in a }
        sink.append("\(event.level) \(event.message)" + (extra.isEmpty ? "" : " \(extra)"))
    }
}

import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// Bug clusters to engineering: one event per cluster, POSTed to a local receiver,
/// retried after a 500, never duplicated.
final class GapBugWebhookTests: XCTestCase {
    private func waitFor(_ seconds: Double, _ condition: () -> Bool) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
    }

    func testTheBugWebhookFiresOncePerClusterAndRetriesAfterA500() async throws {
        let receiver = try FakeWebhookReceiver(statuses: [500])
        defer { receiver.stop() }
        let harness = try GapHarness()
        let service = try await harness.service {
            $0.gaps.bugWebhookURL = receiver.url
            $0.gaps.webhookBackoff = 0.2
        }
        try await service.upsertArticles([
            ArticleInput(id: "export", title: "Export your data", body: "Under Settings, Data, press Export to download a CSV file."),
            ArticleInput(id: "login", title: "Sign in", body: "Sign in with your email address and password."),
        ])
        let exportReports = [
            "The CSV export crashes every time I press Export",
            "export crashes when I download the CSV",
            "CSV export crashed again, error 500",
            "Exporting to CSV crashes the app",
            "the export to csv keeps crashing",
            "CSV export is crashing for me too",
            "csv export crash after the update",
        ]
        for (i, text) in exportReports.enumerated() {
            _ = try await service.ask(AskRequest(text: text, context: i == 0 ? ["tags": "bug,export"] : [:]))
        }
        await waitFor(10) { receiver.requests.count >= 2 }
        let tracker = try XCTUnwrap(service.gaps)
        let clusters = try service.bugClusters()
        XCTAssertEqual(clusters.count, 1, "\(clusters.map { ($0.count, $0.questions) })")
        XCTAssertEqual(clusters.first?.count, exportReports.count)
        XCTAssertEqual(try service.openGaps().count, 0, "defect reports are not knowledge gaps")

        let requests = receiver.requests
        XCTAssertEqual(requests.count, 2, "one 500, one retry that succeeds")
        XCTAssertEqual(Set(requests.map { $0.headers["idempotency-key"] ?? "" }).count, 1)
        XCTAssertEqual(requests.first?.headers["x-loopdesk-event"], GapEvent.bugThreshold)
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(requests.last).body) as? [String: Any])
        for key in ["title", "description", "count", "examples", "first_seen", "last_seen", "cluster_id", "labels"] {
            XCTAssertNotNil(body[key], key)
        }
        XCTAssertEqual(body["labels"] as? [String], ["bug", "loopdesk"])
        XCTAssertEqual(body["count"] as? Int, 5, "sent when the cluster reached the threshold")
        XCTAssertEqual((body["examples"] as? [String])?.count, 5)
        XCTAssertEqual(body["cluster_id"] as? Int, Int(clusters[0].id))

        // A second cluster gets its own event; more questions on the first get none.
        for text in ["The login page shows a blank white screen", "blank white screen on the login page",
                     "login page is a blank screen since this morning", "white blank screen when I open login",
                     "sign in page blank white screen bug"] {
            _ = try await service.ask(AskRequest(text: text, context: ["tags": "incident"]))
        }
        await waitFor(10) { receiver.requests.count >= 3 }
        try await Task.sleep(nanoseconds: 500_000_000)
        XCTAssertEqual(try service.bugClusters().count, 2)
        XCTAssertEqual(receiver.requests.count, 3)
        let delivered = await tracker.deliverWebhooks()
        XCTAssertEqual(delivered, 0, "nothing left to send")
        let outbox = try tracker.store.webhookDeliveries(limit: 10)
        XCTAssertEqual(outbox.count, 2)
        XCTAssertTrue(outbox.allSatisfy { $0.deliveredAt != nil })
        XCTAssertEqual(outbox.map(\.attempts).sorted(), [1, 2])
        await service.close()
    }

    /// Five reports spread over more than the window are not a burst.
    func testABugClusterOutsideTheWindowWritesNoEvent() async throws {
        let harness = try GapHarness()
        let clock = SimulatedClock(start: Date(timeIntervalSince1970: 1_700_000_000))
        let service = try await harness.service(clock: clock) { _ in }
        let tracker = try XCTUnwrap(service.gaps)
        let v = TestEmbedder.shared.embed("the invoice PDF download fails with an error")
        for day in 0..<6 {
            clock.advance(by: 10 * 3600)
            try await tracker.observe(question: "invoice pdf fails \(day)", vector: v, confidence: 0.1, answerKey: nil, kind: .bug, at: clock.now)
        }
        XCTAssertEqual(try tracker.store.webhookDeliveries(limit: 10).count, 0, "never 5 within 24 h")
        for _ in 0..<3 { try await tracker.observe(question: "invoice pdf fails", vector: v, confidence: 0.1, answerKey: nil, kind: .bug, at: clock.now) }
        XCTAssertEqual(try tracker.store.webhookDeliveries(limit: 10).map(\.kind), [GapEvent.bugThreshold])
        XCTAssertEqual(try service.bugClusters().first?.count, 9)
        await service.close()
    }
}

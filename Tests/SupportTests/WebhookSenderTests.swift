import Foundation
import Logging
import LoopdeskTestSupport
@testable import Support
import XCTest

/// WebhookSender.swift: the webhook outbox POSTed to a local receiver — what is sent,
/// in which order, the backoff after a failure, giving up, and at least once, never twice on purpose.
final class WebhookSenderTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)
    private var directory: TemporaryDirectory!
    private var store: SQLiteStore!
    private var clock: SimulatedClock!
    private var receiver: FakeWebhookReceiver?
    private var senders: [WebhookSender] = []

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ldhook")
        store = try SQLiteStore(path: directory.file("hooks.sqlite"))
        clock = SimulatedClock(start: start)
    }

    override func tearDown() async throws {
        for sender in senders { await sender.stop() }
        receiver?.stop()
        store = nil
        directory.remove()
    }

    /// A receiver answering `replies` in order, then 200.
    private func receive(_ replies: [FakeWebhookReceiver.Reply] = []) throws -> FakeWebhookReceiver {
        let receiver = try FakeWebhookReceiver(replies: replies)
        self.receiver = receiver
        return receiver
    }

    /// A sender of bug events to `receiver` (gap events too when `gapPath` is given), backing off 10 s from 10 s.
    private func sender(to receiver: FakeWebhookReceiver, gapPath: String? = nil, clock: (any SupportClock)? = nil,
                        _ configure: (inout GapConfiguration) -> Void = { _ in }) -> WebhookSender {
        var configuration = GapConfiguration(environment: [:])
        configuration.bugWebhookURL = receiver.url(path: "/bugs")
        configuration.gapWebhookURL = gapPath.map(receiver.url(path:))
        configuration.webhookBackoff = 10
        configuration.webhookMaxBackoff = 35
        configuration.webhookTimeout = 5
        configure(&configuration)
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let sender = WebhookSender(store: store, configuration: configuration, clock: clock ?? self.clock, logger: logger)
        senders.append(sender)
        return sender
    }

    /// Queues an event due now, created `age` seconds ago.
    private func queue(_ id: String, kind: String = GapEvent.bugThreshold, age: TimeInterval = 60) throws {
        let delivery = WebhookDelivery(eventID: id, kind: kind, gapID: 1, payload: Data(#"{"event_id":"\#(id)"}"#.utf8),
                                       nextAttemptAt: clock.now, createdAt: clock.now.addingTimeInterval(-age))
        XCTAssertTrue(try store.gapWrite { try $0.enqueueWebhook(delivery) })
    }

    private func row(_ id: String) throws -> WebhookDelivery {
        try XCTUnwrap(try store.webhookDeliveries(limit: 100).first { $0.eventID == id }, "no outbox row \(id)")
    }

    // MARK: What is sent

    func testDueEventsArePostedOldestFirstEachWithItsIdempotencyKey() async throws {
        let receiver = try receive()
        try queue("middle", age: 20)
        try queue("newest", age: 10)
        try queue("oldest", age: 30)
        let delivered = await sender(to: receiver).deliverDue()
        XCTAssertEqual(delivered, 3)
        let requests = receiver.requests
        XCTAssertEqual(requests.map { $0.headers["idempotency-key"] }, ["oldest", "middle", "newest"])
        for request in requests {
            let id = try XCTUnwrap(request.headers["idempotency-key"])
            XCTAssertEqual(request.path, "/bugs")
            XCTAssertEqual(request.headers["x-loopdesk-event"], GapEvent.bugThreshold)
            XCTAssertEqual(request.headers["content-type"], "application/json")
            XCTAssertEqual(request.headers["user-agent"], "loopdesk")
            XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"event_id":"\#(id)"}"#, "the stored payload, byte for byte")
            let row = try row(id)
            XCTAssertEqual(row.deliveredAt, start, "marked delivered at the clock's time")
            XCTAssertEqual(row.attempts, 1)
            XCTAssertNil(row.lastError)
        }
        let again = await sender(to: receiver).deliverDue()
        XCTAssertEqual(again, 0, "delivered events are not sent again")
        XCTAssertEqual(receiver.requests.count, 3)
    }

    func testEachKindGoesToItsOwnURLAndAKindWithoutOneStaysQueued() async throws {
        let receiver = try receive()
        try queue("bug-1", kind: GapEvent.bugThreshold)
        try queue("gap-1", kind: GapEvent.gapThreshold)
        try queue("odd-1", kind: "something.else")
        let bugsOnly = await sender(to: receiver).deliverDue()
        XCTAssertEqual(bugsOnly, 1)
        XCTAssertEqual(receiver.requests.map(\.path), ["/bugs"])
        XCTAssertNil(try row("gap-1").deliveredAt)
        XCTAssertEqual(try row("gap-1").attempts, 0, "no URL for gap events: not attempted, not given up")

        let both = await sender(to: receiver, gapPath: "/gaps").deliverDue()
        XCTAssertEqual(both, 1)
        XCTAssertEqual(receiver.requests.map(\.path), ["/bugs", "/gaps"])
        XCTAssertEqual(receiver.requests.last?.headers["x-loopdesk-event"], GapEvent.gapThreshold)
        XCTAssertEqual(try row("odd-1").attempts, 0, "a kind no URL exists for is never sent")
    }

    func testAny2xxIsDeliveredAndAnythingElseIsAFailure() async throws {
        let receiver = try receive([.status(201), .status(400), .status(299)])
        try queue("a", age: 30)
        try queue("b", age: 20)
        try queue("c", age: 10)
        let delivered = await sender(to: receiver).deliverDue()
        XCTAssertEqual(delivered, 2)
        XCTAssertNotNil(try row("a").deliveredAt)
        XCTAssertNil(try row("b").deliveredAt)
        XCTAssertEqual(try row("b").lastError, "HTTP 400")
        XCTAssertNotNil(try row("c").deliveredAt)
    }

    // MARK: Failures

    func testAFailedPostIsRetriedAfterABackoffThatDoublesUpToTheCap() async throws {
        let receiver = try receive([.status(500), .status(503), .status(500), .status(500)])
        try queue("e")
        let sender = sender(to: receiver)
        var delivered = await sender.deliverDue()
        XCTAssertEqual(delivered, 0)
        XCTAssertEqual(try row("e").attempts, 1)
        XCTAssertEqual(try row("e").lastError, "HTTP 500")
        XCTAssertEqual(try row("e").nextAttemptAt, start.addingTimeInterval(10), "the first retry waits the backoff")

        clock.advance(by: 9)
        delivered = await sender.deliverDue()
        XCTAssertEqual(receiver.requests.count, 1, "not due yet: nothing sent")

        // Waits: 10, then 20, then 40 capped at 35, then 35.
        var expectedAttempts = 1
        for (wait, next) in [(1.0, 20.0), (20, 35), (35, 35)] {
            clock.advance(by: wait)
            delivered = await sender.deliverDue()
            expectedAttempts += 1
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(try row("e").attempts, expectedAttempts)
            XCTAssertEqual(try row("e").nextAttemptAt, clock.now.addingTimeInterval(next), "after attempt \(expectedAttempts)")
        }
        XCTAssertEqual(try row("e").lastError, "HTTP 500")

        clock.advance(by: 35)
        delivered = await sender.deliverDue()
        XCTAssertEqual(delivered, 1)
        XCTAssertEqual(try row("e").attempts, 5, "four failures, one success")
        XCTAssertEqual(try row("e").deliveredAt, clock.now)
        XCTAssertNil(try row("e").lastError)
        XCTAssertEqual(Set(receiver.requests.map { $0.headers["idempotency-key"] }), ["e"], "every attempt carries the same key")
    }

    func testAfterTheLastAttemptAnEventIsGivenUpButKept() async throws {
        let receiver = try receive(Array(repeating: .status(500), count: 10))
        try queue("doomed")
        let sender = sender(to: receiver) { $0.webhookMaxAttempts = 3 }
        for _ in 0..<3 {
            await sender.deliverDue()
            clock.advance(by: 3600)
        }
        XCTAssertEqual(receiver.requests.count, 3)
        await sender.deliverDue()
        clock.advance(by: 86_400)
        await sender.deliverDue()
        XCTAssertEqual(receiver.requests.count, 3, "given up after 3 attempts")
        let row = try row("doomed")
        XCTAssertEqual(row.attempts, 3)
        XCTAssertNil(row.deliveredAt, "the row stays, undelivered, for an operator to see")
        XCTAssertEqual(row.lastError, "HTTP 500")
    }

    func testAReceiverThatHangsUpOrIsGoneCountsAsAFailure() async throws {
        let receiver = try receive([.hangUp])
        try queue("cut")
        let sender = sender(to: receiver)
        await sender.deliverDue()
        let cut = try row("cut")
        XCTAssertEqual(cut.attempts, 1)
        XCTAssertNil(cut.deliveredAt)
        XCTAssertFalse(cut.lastError?.hasPrefix("HTTP") ?? true, "a transport error, not a status: \(cut.lastError ?? "nil")")

        clock.advance(by: 10)
        let delivered = await sender.deliverDue()
        XCTAssertEqual(delivered, 1)
        XCTAssertEqual(receiver.requests.map { $0.headers["idempotency-key"] }, ["cut", "cut"],
                       "at least once: the receiver may see an event twice, with one key to drop the repeat")

        receiver.stop()
        try queue("nobody")
        await sender.deliverDue()
        XCTAssertEqual(try row("nobody").attempts, 1, "no one listening: a failure too")
        XCTAssertNotNil(try row("nobody").lastError)
    }

    // MARK: Order and concurrency

    func testAFailureDoesNotHoldBackTheEventsAfterIt() async throws {
        let receiver = try receive([.status(500)])
        try queue("first", age: 20)
        try queue("second", age: 10)
        let sender = sender(to: receiver)
        let delivered = await sender.deliverDue()
        XCTAssertEqual(delivered, 1)
        XCTAssertEqual(receiver.requests.map { $0.headers["idempotency-key"] }, ["first", "second"])
        XCTAssertNil(try row("first").deliveredAt)
        XCTAssertNotNil(try row("second").deliveredAt)
        clock.advance(by: 10)
        let later = await sender.deliverDue()
        XCTAssertEqual(later, 1)
        XCTAssertNotNil(try row("first").deliveredAt)
    }

    func testConcurrentDeliveriesPostEachEventOnce() async throws {
        let receiver = try receive()
        for i in 0..<12 { try queue("e\(i)", age: Double(100 - i)) }
        let sender = sender(to: receiver)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { await sender.deliverDue() } }
            return await group.reduce(0, +)
        }
        XCTAssertEqual(counts, 12)
        XCTAssertEqual(receiver.requests.compactMap { $0.headers["idempotency-key"] }, (0..<12).map { "e\($0)" },
                       "one delivery at a time, oldest first, nothing twice")
    }

    // MARK: The retry timer

    func testAFailedEventIsRetriedByTheTimerWithoutAnotherCall() async throws {
        let receiver = try receive([.status(500)])
        try queue("later")
        let sender = sender(to: receiver, clock: SystemClock()) { $0.webhookBackoff = 0.3 }
        let first = await sender.deliverDue()
        XCTAssertEqual(first, 0)
        let deadline = Date().addingTimeInterval(10)
        while receiver.requests.count < 2 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        XCTAssertEqual(receiver.requests.count, 2, "the timer woke up when the event was due again")
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertNotNil(try row("later").deliveredAt)
    }

    func testStopCancelsThePendingRetry() async throws {
        let receiver = try receive([.status(500)])
        try queue("held")
        let sender = sender(to: receiver, clock: SystemClock()) { $0.webhookBackoff = 0.3 }
        await sender.deliverDue()
        await sender.stop()
        try await Task.sleep(nanoseconds: 1_000_000_000)
        XCTAssertEqual(receiver.requests.count, 1, "stopped: no retry")
        XCTAssertEqual(try row("held").attempts, 1)
    }
}

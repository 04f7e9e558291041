import Foundation
@testable import Support
import XCTest

/// The gap part of the store contract: clusters, their questions and the webhook outbox.
extension StoreContractTests {
    func testGapsQuestionsAndMerges() throws {
        let (a, b, bug) = try store.gapWrite { w in
            (try w.insertGap(GapRecord(kind: .gap, count: 2, firstSeen: F.monday, lastSeen: F.time(hours: 2), centroid: [0.5, 0.5],
                                       confidenceSum: 0.4)),
             try w.insertGap(GapRecord(kind: .gap, count: 2, firstSeen: F.monday, lastSeen: F.time(hours: 3), centroid: [1, 0],
                                       confidenceSum: 0.1)),
             try w.insertGap(GapRecord(kind: .bug, count: 5, firstSeen: F.monday, lastSeen: F.monday, centroid: [0, 1], confidenceSum: 1)))
        }
        XCTAssertEqual(try store.gap(id: a), GapRecord(id: a, kind: .gap, count: 2, firstSeen: F.monday, lastSeen: F.time(hours: 2),
                                                       centroid: [0.5, 0.5], confidenceSum: 0.4))
        XCTAssertNil(try store.gap(id: 999_999))
        XCTAssertEqual(try store.gaps(kind: .gap, status: nil, limit: 10).map(\.id), [b, a], "largest first, then most recently seen")
        XCTAssertEqual(try store.gaps(kind: .bug, status: .open, limit: 10).map(\.id), [bug])
        XCTAssertEqual(try store.gaps(kind: .gap, status: .closed, limit: 10), [])
        XCTAssertEqual(try store.counters().openGaps, [.gap: 2, .bug: 1])

        try store.gapWrite { w in
            try w.insertGapQuestion(GapQuestionRecord(gapID: a, answerKey: nil, question: "q1", vector: [1], confidence: 0.1, at: F.monday))
            try w.insertGapQuestion(GapQuestionRecord(gapID: a, answerKey: 5, question: "q2", vector: [2], confidence: 0.3, at: F.time(hours: 2)))
            try w.insertGapQuestion(GapQuestionRecord(gapID: b, answerKey: nil, question: "q3", vector: [3], confidence: 0.1, at: F.time(hours: 3)))
            try w.insertGapQuestion(GapQuestionRecord(gapID: b, answerKey: nil, question: "q4", vector: [4], confidence: 0.0, at: F.time(hours: 3)))
        }
        XCTAssertEqual(try store.gapQuestions(gapID: a, limit: 10).map(\.question), ["q2", "q1"])
        XCTAssertEqual(try store.gapQuestions(gapID: b, limit: 10).map(\.question), ["q4", "q3"], "same time: the later one first")
        XCTAssertEqual(try store.gapQuestions(gapID: a, limit: 10).first,
                       GapQuestionRecord(gapID: a, answerKey: 5, question: "q2", vector: [2], confidence: 0.3, at: F.time(hours: 2)))
        XCTAssertEqual(try store.gapQuestionTimes(gapID: a, since: F.time(hours: 1)), [F.time(hours: 2)])
        XCTAssertEqual(try store.gapQuestionTimes(gapID: a, since: F.monday), [F.monday, F.time(hours: 2)])

        // Merge b into a: its questions move, it closes, the open counter follows.
        var merged = try XCTUnwrap(try store.gap(id: b))
        try store.gapWrite { w in
            try w.moveGapQuestions(from: b, into: a)
            merged.status = .closed
            merged.closedAt = F.time(hours: 4)
            merged.closedReason = "merged"
            merged.mergedInto = a
            merged.notifiedAt = F.time(hours: 3)
            try w.updateGap(merged)
        }
        XCTAssertEqual(try store.gapQuestions(gapID: a, limit: 10).map(\.question), ["q4", "q3", "q2", "q1"])
        XCTAssertEqual(try store.gapQuestions(gapID: a, limit: 2).count, 2)
        XCTAssertEqual(try store.gapQuestions(gapID: b, limit: 10), [])
        let closed = try XCTUnwrap(try store.gap(id: b))
        XCTAssertEqual(closed.status, .closed)
        XCTAssertEqual(closed.mergedInto, a)
        XCTAssertEqual(closed.closedReason, "merged")
        XCTAssertEqual(closed.closedAt, F.time(hours: 4))
        XCTAssertEqual(closed.notifiedAt, F.time(hours: 3))
        XCTAssertEqual(try store.gaps(kind: .gap, status: .closed, limit: 10).map(\.id), [b])
        XCTAssertEqual(try store.counters().openGaps, [.gap: 1, .bug: 1])

        // A bug cluster reclassified as a gap moves between the counters.
        var moved = try XCTUnwrap(try store.gap(id: bug))
        moved.kind = .gap
        try store.gapWrite { w in try w.updateGap(moved) }
        XCTAssertEqual(try store.counters().openGaps.filter { $0.value != 0 }, [.gap: 2])
    }

    func testWebhookOutboxIsIdempotentAndBacksOff() throws {
        let payload = Data(#"{"kind":"gap.threshold"}"#.utf8)
        func delivery(_ id: String, _ kind: String, at hours: Double) -> WebhookDelivery {
            WebhookDelivery(eventID: id, kind: kind, gapID: 1, payload: payload, nextAttemptAt: F.time(hours: hours),
                            createdAt: F.time(hours: hours))
        }
        let queued = try store.gapWrite { w in
            [try w.enqueueWebhook(delivery("ev-b", "gap.threshold", at: 1)),
             try w.enqueueWebhook(delivery("ev-a", "gap.threshold", at: 1)),
             try w.enqueueWebhook(delivery("ev-c", "bug.threshold", at: 2)),
             try w.enqueueWebhook(delivery("ev-a", "gap.threshold", at: 5))]
        }
        XCTAssertEqual(queued, [true, true, true, false], "an event id already queued is not queued again")
        XCTAssertEqual(try store.dueWebhooks(kinds: ["gap.threshold", "bug.threshold"], now: F.time(hours: 3), maxAttempts: 5, limit: 10)
            .map(\.eventID), ["ev-a", "ev-b", "ev-c"], "oldest first, then by event id")
        XCTAssertEqual(try store.dueWebhooks(kinds: ["bug.threshold"], now: F.time(hours: 3), maxAttempts: 5, limit: 10).map(\.eventID), ["ev-c"])
        XCTAssertEqual(try store.dueWebhooks(kinds: [], now: F.time(hours: 3), maxAttempts: 5, limit: 10), [])
        XCTAssertEqual(try store.dueWebhooks(kinds: ["gap.threshold"], now: F.time(hours: 0.5), maxAttempts: 5, limit: 10), [])

        try store.gapWrite { w in
            try w.markWebhookFailed(eventID: "ev-a", attempts: 1, nextAttemptAt: F.time(hours: 10), error: "HTTP 500")
            try w.markWebhookDelivered(eventID: "ev-b", at: F.time(hours: 2))
            try w.markWebhookFailed(eventID: "ev-c", attempts: 5, nextAttemptAt: F.time(hours: 2), error: "timeout")
        }
        XCTAssertEqual(try store.dueWebhooks(kinds: ["gap.threshold", "bug.threshold"], now: F.time(hours: 3), maxAttempts: 5, limit: 10), [],
                       "backed off, delivered, out of attempts")
        XCTAssertEqual(try store.dueWebhooks(kinds: ["gap.threshold"], now: F.time(hours: 10), maxAttempts: 5, limit: 10).map(\.eventID), ["ev-a"])
        let all = try store.webhookDeliveries(limit: 10)
        XCTAssertEqual(all.map(\.eventID), ["ev-c", "ev-a", "ev-b"], "newest first, then by event id")
        let failed = try XCTUnwrap(all.first { $0.eventID == "ev-a" })
        XCTAssertEqual(failed, WebhookDelivery(eventID: "ev-a", kind: "gap.threshold", gapID: 1, payload: payload, attempts: 1,
                                               nextAttemptAt: F.time(hours: 10), lastError: "HTTP 500", createdAt: F.time(hours: 1)))
        let delivered = try XCTUnwrap(all.first { $0.eventID == "ev-b" })
        XCTAssertEqual(delivered.deliveredAt, F.time(hours: 2))
        XCTAssertEqual(delivered.attempts, 1)
        XCTAssertNil(delivered.lastError)
        XCTAssertEqual(try store.webhookDeliveries(limit: 1).count, 1)

        // One row by its id, and the undelivered backlog by kind.
        XCTAssertEqual(try store.webhookDelivery(eventID: "ev-a"), failed)
        XCTAssertNil(try store.webhookDelivery(eventID: "ev-none"))
        XCTAssertEqual(try store.webhookBacklog(kinds: ["gap.threshold", "bug.threshold"], maxAttempts: 5),
                       WebhookBacklog(pending: 1, failed: 1, lastError: "timeout"), "ev-a still tried, ev-c given up (the newest's error)")
        XCTAssertEqual(try store.webhookBacklog(kinds: ["gap.threshold"], maxAttempts: 5), WebhookBacklog(pending: 1, failed: 0, lastError: "HTTP 500"))
        XCTAssertEqual(try store.webhookBacklog(kinds: ["helpdesk.zendesk"], maxAttempts: 5), WebhookBacklog())
        XCTAssertEqual(try store.webhookBacklog(kinds: [], maxAttempts: 5), WebhookBacklog())
    }
}

import Foundation
import XCTest
@testable import Support

final class ImportHelpdeskEventsTests: XCTestCase {
    private func parse(fixture name: String) throws -> [OutcomeRequest] {
        try HelpdeskEvents.parse(ImportFixture.data("webhooks/\(name).json"))
    }

    private func parse(_ json: String) throws -> [OutcomeRequest] {
        try HelpdeskEvents.parse(Data(json.utf8))
    }

    // MARK: Fixtures, one per sender and outcome

    /// Each fixture with the outcome it must give. Hashed event ids are pinned: they are stored for the
    /// duplicate check, so they must not change between versions. Each is FNV-1a 64 of sender, ticket,
    /// cause and timestamp joined by U+001F.
    private let fixtures: KeyValuePairs<String, OutcomeRequest> = [
        "zendesk-status-solved": OutcomeRequest(conversationID: "88412", outcome: .resolved,
                                                eventID: "zendesk:6f1c2a4e-1b7d-4c2e-9a51-0d3e8b7f2c10", source: "zendesk"),
        "zendesk-trigger-rating": OutcomeRequest(conversationID: "88412", outcome: .csat, csat: 1, eventID: "zendesk:7b95e513bb26e373", source: "zendesk"),
        "freshdesk-status-resolved": OutcomeRequest(conversationID: "5120", outcome: .resolved, eventID: "freshdesk:690ce48e56a606f8", source: "freshdesk"),
        // -102 on Freshdesk's seven-point scale.
        "freshdesk-rating": OutcomeRequest(conversationID: "5120", outcome: .csat, csat: 2, eventID: "freshdesk:2d86a43ca103f431", source: "freshdesk"),
        "intercom-admin-closed": OutcomeRequest(conversationID: "215467812345", outcome: .resolved,
                                                eventID: "intercom:notif_3b0c5d6e-7f81-4a92-b3c4-d5e6f7a8b9c0", source: "intercom"),
        "intercom-rating": OutcomeRequest(conversationID: "215467812345", outcome: .csat, csat: 4,
                                          eventID: "intercom:notif_9a8b7c6d-5e4f-4321-8765-43210fedcba9", source: "intercom"),
        // Keyed by the close it undoes (last_close_at 1741085998), not by the notification.
        "intercom-user-replied-after-close": OutcomeRequest(conversationID: "215467812345", outcome: .reopened,
                                                            eventID: "intercom:ce3cc0465fa476fd", source: "intercom"),
        "generic-corrected": OutcomeRequest(conversationID: "T-1009", outcome: .corrected, agentReply: "Refunds take 5–10 business days.",
                                            articleID: "billing-refunds", eventID: "generic:evt_77", source: "generic"),
    ]

    func testEveryFixtureGivesItsOutcome() throws {
        for (name, expected) in fixtures {
            XCTAssertEqual(try parse(fixture: name), [expected], name)
        }
    }

    func testRepliesAfterOneCloseAreOneReopen() throws {
        let secondReply = try parse("""
            {"type": "notification_event", "id": "notif_other", "topic": "conversation.user.replied", "created_at": 1741096000,
             "data": {"item": {"id": "215467812345", "state": "open", "statistics": {"last_close_at": 1741085998}}}}
            """)
        XCTAssertEqual(secondReply, try parse(fixture: "intercom-user-replied-after-close"))
    }

    // MARK: Mappings

    func testStatusTransitions() throws {
        func zendesk(_ previous: String, _ current: String) throws -> [OutcomeKind] {
            try parse("""
                {"type": "zen:event-type:ticket.status_changed", "id": "e1", "detail": {"id": "7"},
                 "event": {"previous": "\(previous)", "current": "\(current)"}}
                """).map(\.outcome)
        }
        XCTAssertEqual(try zendesk("OPEN", "SOLVED"), [.resolved])
        XCTAssertEqual(try zendesk("PENDING", "CLOSED"), [.resolved])
        XCTAssertEqual(try zendesk("SOLVED", "CLOSED"), [], "Zendesk closing a solved ticket is not a second resolution")
        XCTAssertEqual(try zendesk("SOLVED", "OPEN"), [.reopened])
        XCTAssertEqual(try zendesk("NEW", "OPEN"), [], "an opened ticket that was never solved is no outcome")
        XCTAssertEqual(try parse(#"{"type": "zen:event-type:ticket.comment_added", "id": "e2", "detail": {"id": "7"}}"#), [])

        XCTAssertEqual(try parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": "Open", "ticket_previous_status": "Closed"}}"#)
            .map(\.outcome), [.reopened])
        XCTAssertEqual(try parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": "5"}}"#).map(\.outcome), [.resolved])
        XCTAssertEqual(try parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": "Pending"}}"#), [])
    }

    func testSatisfactionScales() throws {
        func freshdesk(_ rating: String) throws -> Int? {
            try parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": "Closed", "ticket_satisfaction_rating": \#(rating)}}"#)
                .first?.csat
        }
        XCTAssertEqual(try [103, 102, 101, 100, -101, -102, -103].map { try freshdesk(String($0)) }, [5, 4, 4, 3, 2, 2, 1])
        XCTAssertEqual(try freshdesk("\"Awesome\""), 5)
        XCTAssertEqual(try freshdesk("\"Just Okay\""), 3)
        XCTAssertEqual(try freshdesk("\"Not Good\""), 1)
        XCTAssertEqual(try freshdesk("4"), 4)
        XCTAssertEqual(try parse(#"{"ticket": {"id": 1, "status": "solved"}, "satisfaction": {"score": "good"}}"#).map(\.csat), [5])
        XCTAssertEqual(try parse(#"{"ticket": {"id": 1, "status": "solved"}, "satisfaction": {"score": "offered"}}"#).map(\.outcome),
                       [.resolved], "an offered survey is no rating; the status speaks")
        XCTAssertEqual(try parse(#"{"ticket_id": 3, "event": "rated", "csat": 5}"#).map(\.csat), [5])
    }

    /// What shows the agent used an article, where each sender's body can carry it (``SolveAttribution``).
    func testASolveCarriesTheAgentsReplyAndArticleWhereTheBodyHasThem() throws {
        let trigger = try parse(#"{"ticket": {"id": 5, "status": "solved", "latest_public_comment": "Press Export under Settings, Data.", "article_id": "export-data"}}"#)
        XCTAssertEqual(trigger.first?.agentReply, "Press Export under Settings, Data.")
        XCTAssertEqual(trigger.first?.articleID, "export-data")
        let reopen = try parse(#"{"ticket": {"id": 5, "status": "open", "previous_status": "solved", "latest_public_comment": "Sorry, reopening."}}"#)
        XCTAssertEqual(reopen.first?.outcome, .reopened)
        XCTAssertNil(reopen.first?.agentReply, "only a solve carries evidence")
        let freshdesk = try parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": "Resolved", "ticket_latest_public_comment": "<div>Press <b>Export</b> under Settings, Data.</div>"}}"#)
        XCTAssertEqual(freshdesk.first?.agentReply, "Press Export under Settings, Data.")
        let intercom = try parse("""
            {"type": "notification_event", "id": "n9", "topic": "conversation.admin.closed",
             "data": {"item": {"id": "1", "conversation_parts": {"conversation_parts": [
               {"part_type": "comment", "body": "<p>Press Export under Settings, Data.</p>", "author": {"type": "admin"}},
               {"part_type": "comment", "body": "<p>thanks!</p>", "author": {"type": "user"}},
               {"part_type": "note", "body": "<p>private note</p>", "author": {"type": "admin"}}]}}}}
            """)
        XCTAssertEqual(intercom.first?.agentReply, "Press Export under Settings, Data.", "the last public admin text; notes and the customer's are skipped")
        let bare = try parse(#"{"type": "zen:event-type:ticket.status_changed", "id": "e1", "detail": {"id": "7"}, "event": {"previous": "open", "current": "solved"}}"#)
        XCTAssertNil(bare.first?.agentReply, "a Zendesk status event carries no reply: it is no evidence")
        XCTAssertNil(bare.first?.articleID)
    }

    func testIntercomTopicsWithoutOutcome() throws {
        XCTAssertEqual(try parse(#"{"type": "notification_event", "id": "n1", "topic": "conversation.user.created", "data": {"item": {"id": "1"}}}"#), [])
        XCTAssertEqual(try parse(#"{"type": "notification_event", "id": "n2", "topic": "ping", "data": {"item": {"type": "ping"}}}"#), [])
        XCTAssertEqual(try parse("""
            {"type": "notification_event", "id": "n3", "topic": "conversation.user.replied",
             "data": {"item": {"id": "1", "state": "open", "statistics": {"last_close_at": null}}}}
            """), [], "a reply in a conversation never closed reopens nothing")
    }

    func testBatchOfEvents() throws {
        let outcomes = try parse(#"[{"ticket_id": 1, "event": "escalated", "event_id": "a"}, {"conversation_id": "c-2", "event": "solved", "event_id": "b"}]"#)
        XCTAssertEqual(outcomes, [
            OutcomeRequest(conversationID: "1", outcome: .escalated, eventID: "generic:a", source: "generic"),
            OutcomeRequest(conversationID: "c-2", outcome: .resolved, eventID: "generic:b", source: "generic"),
        ])
    }

    func testReparsingGivesTheSameEventIDs() throws {
        for (name, _) in fixtures {
            XCTAssertEqual(try parse(fixture: name), try parse(fixture: name), name)
        }
        let first = try parse(#"{"ticket_id": 3, "event": "solved", "timestamp": "2025-01-01T00:00:00Z"}"#)
        XCTAssertEqual(first, try parse(#"{"event": "solved", "timestamp": "2025-01-01T00:00:00Z", "ticket_id": 3}"#))
        XCTAssertNotEqual(first.first?.eventID,
                          try parse(#"{"ticket_id": 3, "event": "solved", "timestamp": "2025-01-02T00:00:00Z"}"#).first?.eventID)
    }

    // MARK: Errors

    func testMalformedAndUnrecognisedBodies() {
        let message = ImportFixture.requestError { try self.parse("{\"ticket_id\": 1, ") }
        XCTAssertTrue(message.hasPrefix("webhook body: not valid JSON ("), message)
        ImportFixture.assertError(.invalidRequest(
            "webhook body: unrecognised shape (top-level keys: action, issue); expected a Zendesk event "
                + "(\"type\": \"zen:event-type:…\"), a Zendesk trigger body ({\"ticket\": {…}}), a Freshdesk webhook "
                + "({\"freshdesk_webhook\": {…}}), an Intercom notification (\"type\": \"notification_event\") or "
                + "{\"ticket_id\" or \"conversation_id\", \"event\"}")) {
            try self.parse(#"{"action": "opened", "issue": {"number": 1}}"#)
        }
        ImportFixture.assertError(.invalidRequest("webhook body: expected a JSON object (or an array of them), found a string")) {
            try self.parse(#""solved""#)
        }
    }

    func testMissingFieldsAndValuesOutOfRange() {
        ImportFixture.assertError(.invalidRequest("webhook event \"rated\": csat out of range: 6 is not 1–5")) {
            try self.parse(#"{"ticket_id": 3, "event": "rated", "csat": 6}"#)
        }
        ImportFixture.assertError(.invalidRequest("webhook event \"rated\": \"csat\" (1–5) is missing")) {
            try self.parse(#"{"ticket_id": 3, "event": "rated"}"#)
        }
        ImportFixture.assertError(.invalidRequest(
            "Intercom notification conversation.rating.added: csat out of range: conversation_rating.rating 0 is not 1–5")) {
            try self.parse(#"{"type": "notification_event", "id": "n", "topic": "conversation.rating.added", "data": {"item": {"id": "1", "conversation_rating": {"rating": 0}}}}"#)
        }
        ImportFixture.assertError(.invalidRequest(
            "Freshdesk webhook: csat out of range: ticket_satisfaction_rating \"104\" is neither 1–5, "
                + "nor one of Freshdesk's 103, 102, 101, 100, -101, -102, -103, nor a survey label such as \"Awesome\"")) {
            try self.parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_satisfaction_rating": 104}}"#)
        }
        ImportFixture.assertError(.invalidRequest("Zendesk trigger body: satisfaction score \"meh\" is neither good nor bad")) {
            try self.parse(#"{"ticket": {"id": 1}, "satisfaction": {"score": "meh"}}"#)
        }
        ImportFixture.assertError(.invalidRequest("Zendesk ticket.status_changed event: \"detail.id\" is missing")) {
            try self.parse(#"{"type": "zen:event-type:ticket.status_changed", "detail": {}, "event": {"current": "SOLVED"}}"#)
        }
        ImportFixture.assertError(.invalidRequest("Freshdesk webhook: \"ticket_status\" is empty")) {
            try self.parse(#"{"freshdesk_webhook": {"ticket_id": 9, "ticket_status": ""}}"#)
        }
        ImportFixture.assertError(.invalidRequest("webhook event: unknown event \"closed\"; expected solved, resolved, reopened, rated, csat, escalated or corrected")) {
            try self.parse(#"{"ticket_id": 3, "event": "closed"}"#)
        }
        ImportFixture.assertError(.invalidRequest("webhook event \"corrected\": needs \"agent_reply\" (the agent's answer) or \"article_id\" (the article used)")) {
            try self.parse(#"{"ticket_id": 3, "event": "corrected", "agent_reply": "  "}"#)
        }
        ImportFixture.assertError(.invalidRequest("webhook body, event 2: webhook event \"rated\": csat out of range: 0 is not 1–5")) {
            try self.parse(#"[{"ticket_id": 3, "event": "solved"}, {"ticket_id": 3, "event": "rated", "csat": 0}]"#)
        }
    }
}

import Foundation
import XCTest
@testable import Support

final class ImportHelpdeskExportsTests: XCTestCase {
    private func parse(fixture name: String, _ format: HelpdeskExportFormat) throws -> [ImportedTicket] {
        try HelpdeskExports.parse(ImportFixture.data("exports/\(name)"), format: format)
    }

    private func date(_ iso: String) -> Date { try! Date(iso, strategy: .iso8601) }

    func testZendeskExport() throws {
        XCTAssertEqual(try parse(fixture: "zendesk-tickets.json", .zendesk), [
            ImportedTicket(externalID: "88412", subject: "Double charge in March",
                           question: "Hi, I was charged twice for March. Can you refund one?",
                           agentReply: "Sorry about that! We refunded the duplicate charge.\n\nIt reaches your card in 5–10 business days.",
                           resolved: true, tags: ["billing", "refund"], createdAt: date("2025-03-03T17:02:11Z")),
            ImportedTicket(externalID: "88501", subject: "Where is the API key?", question: "I can't find my API key.",
                           agentReply: nil, resolved: false, tags: [],
                           createdAt: date("2025-03-05T10:00:00Z").addingTimeInterval(0.25)),
            // 88502 (outbound, no customer message) is skipped.
        ])
    }

    func testFreshdeskExport() throws {
        XCTAssertEqual(try parse(fixture: "freshdesk-tickets.json", .freshdesk), [
            ImportedTicket(externalID: "5120", subject: "Cannot export CSV", question: "The Export button does nothing & no file downloads.",
                           agentReply: "Fixed: reload the page and export again.", resolved: true, tags: ["export", "bug"],
                           createdAt: date("2025-02-10T12:00:00Z")),
            ImportedTicket(externalID: "5121", subject: "Change billing email", question: "How do I change the billing email?",
                           agentReply: nil, resolved: false, tags: [], createdAt: date("2025-02-12T08:00:00Z")),
        ])
    }

    func testIntercomExport() throws {
        XCTAssertEqual(try parse(fixture: "intercom-conversations.json", .intercom), [
            ImportedTicket(externalID: "215467812345", subject: "", question: "How do I add a teammate?",
                           agentReply: "Settings → Team → Invite.", resolved: true, tags: ["onboarding"],
                           createdAt: Date(timeIntervalSince1970: 1_741_080_000)),
            ImportedTicket(externalID: "215467899999", subject: "Refund request", question: "I'd like a refund please.\nOrder 991.",
                           agentReply: nil, resolved: false, tags: [], createdAt: Date(timeIntervalSince1970: 1_741_100_000)),
        ])
    }

    func testCSVExport() throws {
        XCTAssertEqual(try parse(fixture: "tickets.csv", .csv), [
            ImportedTicket(externalID: "T-1", subject: "Login loop", question: "I keep getting sent back to the login page.\nChrome, macOS.",
                           agentReply: "Clear cookies for app.example.com, then sign in again.", resolved: true,
                           tags: ["login", "browser"], createdAt: date("2025-01-07T10:30:00Z")),
            ImportedTicket(externalID: "T-2", subject: "Invoice address", question: "Can I change the address on an old invoice?",
                           agentReply: nil, resolved: false, tags: ["billing"], createdAt: nil),
            // T-3 has no question and is skipped.
        ])
    }

    func testReparsingIsDeterministic() throws {
        for (name, format) in [("zendesk-tickets.json", HelpdeskExportFormat.zendesk), ("freshdesk-tickets.json", .freshdesk),
                               ("intercom-conversations.json", .intercom), ("tickets.csv", .csv)] {
            XCTAssertEqual(try parse(fixture: name, format), try parse(fixture: name, format), name)
        }
    }

    func testErrors() {
        let message = ImportFixture.requestError { try HelpdeskExports.parse(Data("{\"tickets\": [".utf8), format: .zendesk) }
        XCTAssertTrue(message.hasPrefix("zendesk export: not valid JSON ("), message)
        ImportFixture.assertError(.invalidRequest("intercom export: expected {\"conversations\": [...]} or an array, found an object with keys pages, type")) {
            try HelpdeskExports.parse(Data(#"{"type": "conversation.list", "pages": {}}"#.utf8), format: .intercom)
        }
        ImportFixture.assertError(.invalidRequest("freshdesk export, ticket 2: \"id\" is missing")) {
            try HelpdeskExports.parse(Data(#"[{"id": 1, "description_text": "q"}, {"subject": "no id"}]"#.utf8), format: .freshdesk)
        }
        ImportFixture.assertError(.invalidRequest("zendesk export, ticket 1: expected an object, found a number")) {
            try HelpdeskExports.parse(Data(#"{"tickets": [7]}"#.utf8), format: .zendesk)
        }
        ImportFixture.assertError(.invalidRequest(
            "csv export line 1: the header row must name the columns id, subject, question, status "
                + "(optionally agent_reply, tags, created_at, first_reply_at, solved_at, reopens, csat); missing status in \"id\", \"subject\", \"question\"")) {
            try HelpdeskExports.parse(Data("id,subject,question\n1,a,b\n".utf8), format: .csv)
        }
        ImportFixture.assertError(.invalidRequest("csv export line 2: created_at \"yesterday\" is not an ISO 8601 date")) {
            try HelpdeskExports.parse(Data("id,subject,question,status,created_at\n1,a,b,open,yesterday\n".utf8), format: .csv)
        }
    }
}

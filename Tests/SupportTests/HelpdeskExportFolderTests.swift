import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// HelpdeskExportFolder.swift: list pages and per-ticket files, joined into the tickets
/// ``HelpdeskExports`` reads. The files follow the shapes of each helpdesk's documented responses
/// (Zendesk's incremental ticket export and ticket comments; Freshdesk's ticket list and ticket
/// conversations; Intercom's conversation list and single conversation).
final class HelpdeskExportFolderTests: XCTestCase {
    private func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Two pages (ticket 35436 appears on both: updated between them), comments of 35436 on two pages.
    private func exportFolder() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "ldzd")
        try write(#"""
        {"tickets": [
          {"id": 35436, "subject": "Help, my printer is on fire!", "description": "The fire is very colorful.",
           "status": "open", "requester_id": 20978392, "tags": ["enterprise", "printer"], "created_at": "2026-07-20T22:55:29Z",
           "updated_at": "2026-07-20T22:55:29Z"},
          {"id": 35437, "subject": "Refund for the annual plan", "description": "Can I get my money back for the yearly plan?",
           "status": "solved", "requester_id": 1003, "tags": ["billing"], "created_at": "2026-07-21T09:00:00Z"}
        ], "after_cursor": "MTU3NjYxMzUzOS4wfHw0Njd8", "before_cursor": null, "end_of_stream": false}
        """#, to: folder.file("page-001.json"))
        try write(#"""
        {"tickets": [
          {"id": 35436, "subject": "Help, my printer is on fire!", "description": "The fire is very colorful.",
           "status": "solved", "requester_id": 20978392, "tags": ["enterprise", "printer"], "created_at": "2026-07-20T22:55:29Z",
           "updated_at": "2026-07-22T10:00:00Z"}
        ], "after_cursor": null, "end_of_stream": true}
        """#, to: folder.file("page-002.json"))
        try write(#"""
        {"comments": [
          {"id": 1274, "type": "Comment", "author_id": 20978392, "body": "The fire is very colorful.",
           "plain_body": "The fire is very colorful.", "public": true, "created_at": "2026-07-20T22:55:29Z"},
          {"id": 1275, "type": "Comment", "author_id": 500, "body": "Internal: check the fuser",
           "plain_body": "Internal: check the fuser", "public": false, "created_at": "2026-07-21T08:00:00Z"}
        ], "next_page": "https://example.zendesk.com/api/v2/tickets/35436/comments.json?page=2", "count": 3}
        """#, to: folder.file("comments/35436-1.json"))
        try write(#"""
        {"comments": [
          {"id": 1276, "type": "Comment", "author_id": 500, "html_body": "<p>Unplug the printer, then open the front panel and remove the toner cartridge.</p>",
           "body": "Unplug the printer, then open the front panel and remove the toner cartridge.",
           "plain_body": "Unplug the printer, then open the front panel and remove the toner cartridge.", "public": true,
           "created_at": "2026-07-22T09:59:00Z"}
        ], "next_page": null, "count": 3}
        """#, to: folder.file("comments/35436-2.json"))
        return folder
    }

    func testPagesAndCommentFilesBecomeTicketsWithTheirConversation() throws {
        let folder = try exportFolder()
        defer { folder.remove() }
        XCTAssertTrue(HelpdeskExportFolder.isFolder(folder.path))
        let tickets = try HelpdeskExports.parse(try HelpdeskExportFolder.assemble(folder: folder.path, format: .zendesk), format: .zendesk)
        XCTAssertEqual(tickets.map(\.externalID), ["35436", "35437"], "a ticket on two pages is one ticket, in its first place")
        let printer = tickets[0]
        XCTAssertTrue(printer.resolved, "the later page's status wins: solved")
        XCTAssertEqual(printer.question, "The fire is very colorful.")
        XCTAssertEqual(printer.agentReply, "Unplug the printer, then open the front panel and remove the toner cartridge.",
                       "the last public agent comment, from the second comments page; the private note is not a reply")
        XCTAssertEqual(printer.tags, ["enterprise", "printer"])
        let refund = tickets[1]
        XCTAssertEqual(refund.question, "Can I get my money back for the yearly plan?", "no comments file: the description is the question")
        XCTAssertNil(refund.agentReply)
    }

    func testAPageWithoutTicketsOrACommentsFileWithoutCommentsIsNamed() throws {
        let folder = try exportFolder()
        defer { folder.remove() }
        try write(#"{"results": []}"#, to: folder.file("page-003.json"))
        XCTAssertThrowsError(try HelpdeskExportFolder.assemble(folder: folder.path, format: .zendesk)) { error in
            XCTAssertTrue("\(error)".contains("page-003.json"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder.file("page-003.json"))
        try write("not json", to: folder.file("comments/35437.json"))
        XCTAssertThrowsError(try HelpdeskExportFolder.assemble(folder: folder.path, format: .zendesk)) { error in
            XCTAssertTrue("\(error)".contains("35437.json"), "\(error)")
        }
    }

    func testTheImportedFolderSeedsAnArticleFromTheResolvedTicket() async throws {
        let folder = try exportFolder()
        defer { folder.remove() }
        let harness = try SupportHarness()
        let service = try await harness.service()
        let summary = try await service.importTickets(try HelpdeskExports.parse(try HelpdeskExportFolder.assemble(folder: folder.path, format: .zendesk),
                                                                                format: .zendesk), source: "zendesk")
        XCTAssertEqual(summary.articlesCreated, 1, "only the solved ticket with a public reply seeds an article")
        let article = try XCTUnwrap(try service.store.article(id: SupportService.ticketArticleID(source: "zendesk", externalID: "35436")))
        XCTAssertTrue(article.body.contains("remove the toner cartridge"))
        await service.close()
    }

    func testFreshdeskPagesAndConversationFilesJoin() throws {
        let folder = try TemporaryDirectory(prefix: "ldfd")
        defer { folder.remove() }
        try write(#"""
        [{"id": 20, "subject": "Support needed..", "description_text": "Details about the issue...", "status": 4,
          "tags": ["billing"], "created_at": "2026-07-20T08:00:00Z"},
         {"id": 21, "subject": "Login", "description_text": "I cannot log in", "status": 2, "created_at": "2026-07-20T09:00:00Z"}]
        """#, to: folder.file("tickets-page-1.json"))
        try write(#"""
        [{"id": 3001, "body_text": "Please help, the invoice is wrong", "incoming": true, "private": false},
         {"id": 3002, "body_text": "Checked with finance: a private note", "incoming": false, "private": true},
         {"id": 3003, "body_text": "We corrected the invoice and sent it again; it is under Billing, Invoices.", "incoming": false,
          "private": false}]
        """#, to: folder.file("conversations/20.json"))
        let tickets = try HelpdeskExports.parse(try HelpdeskExportFolder.assemble(folder: folder.path, format: .freshdesk), format: .freshdesk)
        XCTAssertEqual(tickets.map(\.externalID), ["20", "21"])
        XCTAssertTrue(tickets[0].resolved)
        XCTAssertEqual(tickets[0].agentReply, "We corrected the invoice and sent it again; it is under Billing, Invoices.",
                       "the last public outgoing conversation; the private note is skipped")
        XCTAssertNil(tickets[1].agentReply, "no conversations file")
        try write(#"{"conversations": []}"#, to: folder.file("conversations/21.json"))
        XCTAssertThrowsError(try HelpdeskExportFolder.assemble(folder: folder.path, format: .freshdesk)) { error in
            XCTAssertTrue("\(error)".contains("conversations/21.json") && "\(error)".contains("array"), "\(error)")
        }
    }

    func testIntercomListPagesAreReplacedByTheWholeConversation() throws {
        let folder = try TemporaryDirectory(prefix: "ldic")
        defer { folder.remove() }
        try write(#"""
        {"type": "conversation.list", "pages": {"type": "pages", "page": 1, "per_page": 20, "total_pages": 1},
         "total_count": 1, "conversations": [
          {"type": "conversation", "id": "1911149811", "created_at": 1765000000, "state": "closed", "title": "",
           "source": {"type": "conversation", "body": "<p>How do I export my data?</p>", "author": {"type": "user"}}}]}
        """#, to: folder.file("conversations-page-1.json"))
        try write(#"""
        {"type": "conversation", "id": "1911149811", "created_at": 1765000000, "state": "closed", "title": "",
         "source": {"type": "conversation", "body": "<p>How do I export my data?</p>", "author": {"type": "user"}},
         "conversation_parts": {"type": "conversation_part.list", "total_count": 2, "conversation_parts": [
           {"type": "conversation_part", "part_type": "note", "body": "<p>internal: VIP</p>", "author": {"type": "admin"}},
           {"type": "conversation_part", "part_type": "comment",
            "body": "<p>Go to Reports, pick a date range and press Export; the CSV arrives by email.</p>", "author": {"type": "admin"}}]}}
        """#, to: folder.file("conversations/1911149811.json"))
        let tickets = try HelpdeskExports.parse(try HelpdeskExportFolder.assemble(folder: folder.path, format: .intercom), format: .intercom)
        XCTAssertEqual(tickets.count, 1)
        XCTAssertEqual(tickets[0].question, "How do I export my data?")
        XCTAssertEqual(tickets[0].agentReply, "Go to Reports, pick a date range and press Export; the CSV arrives by email.",
                       "from the whole conversation's parts, the note skipped")
        XCTAssertThrowsError(try HelpdeskExportFolder.assemble(folder: folder.path, format: .csv), "a CSV export is one file")
    }
}

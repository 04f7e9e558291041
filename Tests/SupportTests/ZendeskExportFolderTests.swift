import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// ZendeskExportFolder.swift: incremental-export pages and per-ticket comment files, joined into
/// the tickets ``HelpdeskExports`` reads. The files follow the shapes of Zendesk's documented
/// responses (incremental ticket export, cursor-based; ticket comments).
final class ZendeskExportFolderTests: XCTestCase {
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
        XCTAssertTrue(ZendeskExportFolder.isFolder(folder.path))
        let tickets = try HelpdeskExports.parse(try ZendeskExportFolder.assemble(folder: folder.path), format: .zendesk)
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
        XCTAssertThrowsError(try ZendeskExportFolder.assemble(folder: folder.path)) { error in
            XCTAssertTrue("\(error)".contains("page-003.json"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder.file("page-003.json"))
        try write("not json", to: folder.file("comments/35437.json"))
        XCTAssertThrowsError(try ZendeskExportFolder.assemble(folder: folder.path)) { error in
            XCTAssertTrue("\(error)".contains("35437.json"), "\(error)")
        }
    }

    func testTheImportedFolderSeedsAnArticleFromTheResolvedTicket() async throws {
        let folder = try exportFolder()
        defer { folder.remove() }
        let harness = try SupportHarness()
        let service = try await harness.service()
        let summary = try await service.importTickets(try HelpdeskExports.parse(try ZendeskExportFolder.assemble(folder: folder.path),
                                                                                format: .zendesk), source: "zendesk")
        XCTAssertEqual(summary.articlesCreated, 1, "only the solved ticket with a public reply seeds an article")
        let article = try XCTUnwrap(try service.store.article(id: SupportService.ticketArticleID(source: "zendesk", externalID: "35436")))
        XCTAssertTrue(article.body.contains("remove the toner cartridge"))
        await service.close()
    }
}

import Embedding
import Foundation
import XCTest
@testable import Support

/// SupportService-TicketImport.swift: each helpdesk fixture seeds articles and aliases once.
final class TicketImportTests: XCTestCase {
    private var harness: SupportHarness!
    private var service: SupportService!

    override func setUp() async throws {
        harness = try SupportHarness()
        service = try await harness.service(embedder: HashedEmbedder())
    }

    override func tearDown() async throws {
        await service?.close()
        service = nil
        harness = nil
    }

    private func roundTrip(_ fixture: String, _ format: HelpdeskExportFormat, article id: String, title: String,
                           question: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let tickets = try HelpdeskExports.parse(ImportFixture.data("exports/\(fixture)"), format: format)
        let progress = ProgressLog()
        let first = try await service.importTickets(tickets, source: format.rawValue) { done, total in progress.add(done, total) }
        XCTAssertEqual(first.articlesCreated, 1, file: file, line: line)
        XCTAssertEqual(first.aliasesAdded, 1, file: file, line: line)
        XCTAssertEqual(first.seeded, 1, file: file, line: line)
        XCTAssertEqual(first.tickets, tickets.count, file: file, line: line)
        XCTAssertEqual(progress.last?.done, progress.last?.total, "the progress ends complete", file: file, line: line)
        let article = try XCTUnwrap(try service.store.article(id: id), file: file, line: line)
        XCTAssertEqual(article.title, title, file: file, line: line)
        XCTAssertEqual(article.body, tickets.first { $0.resolved && $0.agentReply != nil }?.agentReply, file: file, line: line)
        XCTAssertEqual(try service.store.aliasCount(articleKey: article.key), 1, file: file, line: line)
        let aliases = try service.store.activeAliases(after: 0, limit: 10)
        XCTAssertEqual(aliases.map(\.question), [question], file: file, line: line)
        let delivered = await service.deliverPending()
        XCTAssertTrue(delivered, "the core took the vectors", file: file, line: line)

        let second = try await service.importTickets(tickets, source: format.rawValue)
        XCTAssertEqual(second.articlesCreated, 0, file: file, line: line)
        XCTAssertEqual(second.articlesUpdated, 0, file: file, line: line)
        XCTAssertEqual(second.articlesUnchanged, 1, file: file, line: line)
        XCTAssertEqual(second.aliasesAdded, 0, file: file, line: line)
        XCTAssertEqual(second.aliasesExisting, 1, file: file, line: line)
        XCTAssertEqual(try service.store.aliasCount(articleKey: nil), 1, file: file, line: line)
        XCTAssertEqual(try service.store.articleCount(), 1, file: file, line: line)
    }

    func testZendeskRoundTrip() async throws {
        try await roundTrip("zendesk-tickets.json", .zendesk, article: "ticket-zendesk-88412", title: "Double charge in March",
                            question: "Hi, I was charged twice for March. Can you refund one?")
    }

    func testFreshdeskRoundTrip() async throws {
        try await roundTrip("freshdesk-tickets.json", .freshdesk, article: "ticket-freshdesk-5120", title: "Cannot export CSV",
                            question: "The Export button does nothing & no file downloads.")
    }

    func testIntercomRoundTripTitlesBySubjectOrQuestion() async throws {
        try await roundTrip("intercom-conversations.json", .intercom, article: "ticket-intercom-215467812345",
                            title: "How do I add a teammate?", question: "How do I add a teammate?")
    }

    func testCSVRoundTrip() async throws {
        try await roundTrip("tickets.csv", .csv, article: "ticket-csv-T-1", title: "Login loop",
                            question: "I keep getting sent back to the login page.\nChrome, macOS.")
    }

    func testOneArticlePerDistinctReplyAndTheImportedQuestionIsAnswered() async throws {
        let reply = "Open Settings → Security → Reset password; the emailed link is valid for an hour."
        let tickets = [
            ImportedTicket(externalID: "1", subject: "Password reset", question: "I forgot my password", agentReply: reply, resolved: true,
                           tags: ["account"]),
            ImportedTicket(externalID: "2", subject: "", question: "how to change password", agentReply: "  \(reply)\n", resolved: true),
            ImportedTicket(externalID: "3", subject: "Refund", question: "refund please", agentReply: "Refunds take 5 days.", resolved: true),
            ImportedTicket(externalID: "4", subject: "Open one", question: "still waiting", agentReply: "Looking into it", resolved: false),
            ImportedTicket(externalID: "5", subject: "No reply", question: "hello?", agentReply: nil, resolved: true),
            ImportedTicket(externalID: "1", subject: "dup", question: "dup", agentReply: "dup", resolved: true),
        ]
        let summary = try await service.importTickets(tickets, source: "helpdesk")
        XCTAssertEqual(summary.seeded, 3)
        XCTAssertEqual(summary.articlesCreated, 2)
        XCTAssertEqual(summary.aliasesAdded, 3)
        XCTAssertEqual(summary.skippedUnresolved, 1)
        XCTAssertEqual(summary.skippedWithoutReply, 1)
        XCTAssertEqual(summary.skippedDuplicateID, 1)
        let reset = try XCTUnwrap(try service.store.article(id: "ticket-helpdesk-1"))
        XCTAssertEqual(reset.tags, ["account"])
        XCTAssertEqual(try service.store.aliasCount(articleKey: reset.key), 2)
        XCTAssertNil(try service.store.article(id: "ticket-helpdesk-2"), "the same reply is one article")

        let answer = try await service.ask(AskRequest(text: "how to change password"))
        XCTAssertEqual(answer.article?.id, "ticket-helpdesk-1", "the imported question finds its article through the alias")
    }
}

/// Progress callbacks, collected across tasks.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(done: Int, total: Int)] = []
    func add(_ done: Int, _ total: Int) { lock.withLock { calls.append((done, total)) } }
    var last: (done: Int, total: Int)? { lock.withLock { calls.last } }
}

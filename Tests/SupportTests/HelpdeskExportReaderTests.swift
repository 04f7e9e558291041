import Foundation
@testable import Support
import XCTest

/// The streaming export reader: the same tickets however the bytes are cut, each ticket out as
/// soon as its record is complete, line numbers of the whole file across CSV chunks.
final class HelpdeskExportReaderTests: XCTestCase {
    private static let fixtures: [(String, HelpdeskExportFormat)] = [
        ("zendesk-tickets.json", .zendesk), ("freshdesk-tickets.json", .freshdesk),
        ("intercom-conversations.json", .intercom), ("tickets.csv", .csv),
    ]

    private static func read(_ data: Data, _ format: HelpdeskExportFormat, pieces size: Int) throws -> [ImportedTicket] {
        var reader = HelpdeskExportReader(format: format, maxRecordBytes: 1 << 20)
        var tickets: [ImportedTicket] = []
        for start in stride(from: 0, to: data.count, by: size) {
            tickets += try reader.read(data[start..<min(start + size, data.count)])
        }
        return tickets + (try reader.finish())
    }

    func testEveryCutGivesTheWholeParse() throws {
        for (name, format) in Self.fixtures {
            let data = try ImportFixture.data("exports/\(name)")
            let whole = try HelpdeskExports.parse(data, format: format)
            XCTAssertFalse(whole.isEmpty, name)
            for size in [1, 2, 7, 64, 1000] {
                XCTAssertEqual(try Self.read(data, format, pieces: size), whole, "\(name) in pieces of \(size)")
            }
        }
    }

    func testATicketComesOutAsSoonAsItsRecordIsComplete() throws {
        var reader = HelpdeskExportReader(format: .freshdesk, maxRecordBytes: 1 << 20)
        let first = #"[{"id": 1, "description_text": "first?", "status": 4}"#
        XCTAssertEqual(try reader.read(Data(first.dropLast().utf8)).count, 0, "the record is not complete yet")
        XCTAssertEqual(try reader.read(Data("}".utf8)).map(\.externalID), ["1"])
        XCTAssertEqual(try reader.read(Data(#", {"id": 2, "description_text": "second?"}]"#.utf8)).map(\.externalID), ["2"])
        XCTAssertEqual(try reader.finish(), [])
    }

    func testStringsThatLookLikeStructureAndOtherKeysAreSkipped() throws {
        let json = #"{"meta": {"a": ["]", "}", "\"tickets\": ["]}, "tickets": [{"id": "x\"]", "description": "brackets ] } [ {"}], "#
            + #""after": [[1, 2], {"tickets": [7]}]}"#
        let tickets = try HelpdeskExports.parse(Data(json.utf8), format: .zendesk)
        XCTAssertEqual(tickets.map(\.externalID), ["x\"]"])
        XCTAssertEqual(tickets.first?.question, "brackets ] } [ {")
    }

    func testRecordsOverTheLimitAndDocumentsCutShortAreRefused() {
        var reader = HelpdeskExportReader(format: .zendesk, maxRecordBytes: 64)
        XCTAssertThrowsError(try reader.read(Data(("[{\"id\": 1, \"description\": \"" + String(repeating: "x", count: 100) + "\"}]").utf8))) {
            XCTAssertEqual($0 as? SupportError, .tooLarge("zendesk export, ticket 1: larger than 64 bytes"))
        }
        for (text, message) in [
            ("", "zendesk export: not valid JSON (the document is empty)"),
            (#"{"tickets": [{"id": 1}"#, "zendesk export: not valid JSON (the document ends before its closing ])"),
            (#"[{"id": 1}]]"#, "zendesk export: not valid JSON (unexpected ] after the end of the document)"),
            (#"[{"id": 1}}"#, "zendesk export: not valid JSON (} closes a [)"),
            (#""tickets""#, "zendesk export: expected {\"tickets\": [...]} or an array, found a string"),
            (#"{"tickets": {"id": 1}}"#, "zendesk export: expected {\"tickets\": [...]} or an array, found an object with keys tickets"),
        ] {
            ImportFixture.assertError(.invalidRequest(message)) { try HelpdeskExports.parse(Data(text.utf8), format: .zendesk) }
        }
    }

    func testCSVChunksKeepTheFilesLineNumbers() throws {
        var csv = "id,subject,question,agent_reply,status,created_at\n"
        for row in 1...1200 {
            let question = row % 100 == 0 ? "\"a question\nover two lines\"" : "question \(row)"
            csv += "T-\(row),subject,\(question),reply \(row),solved,\(row == 1150 ? "yesterday" : "")\n"
        }
        // Rows 100, 200, … 1100 span two lines: row 1150 starts on line 1 + 1150 + 11 = 1162.
        ImportFixture.assertError(.invalidRequest("csv export line 1162: created_at \"yesterday\" is not an ISO 8601 date")) {
            _ = try Self.read(Data(csv.utf8), .csv, pieces: 333)
        }
        let good = csv.replacingOccurrences(of: "yesterday", with: "")
        let tickets = try Self.read(Data(good.utf8), .csv, pieces: 4096)
        XCTAssertEqual(tickets.count, 1200)
        XCTAssertEqual(tickets.last?.externalID, "T-1200")
        XCTAssertEqual(tickets[99].question, "a question\nover two lines")
        XCTAssertEqual(tickets, try HelpdeskExports.parse(Data(good.utf8), format: .csv))
    }
}

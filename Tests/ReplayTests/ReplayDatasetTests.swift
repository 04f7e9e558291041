import LoopdeskTestSupport
@testable import Replay
import XCTest

/// ReplayDataset.swift: JSONL input and spreading undated tickets over the days.
final class ReplayDatasetTests: XCTestCase {
    func testUndatedTicketsAreSpreadEvenlyInFileOrder() {
        let dataset = ReplayDataset(tickets: (0..<10).map { ReplayTicket(text: "q\($0)", label: "a") }, articles: [])
        XCTAssertEqual(dataset.arrivalDays(days: 5), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
        XCTAssertEqual(dataset.arrivalDays(days: 3), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
        let days = Fixtures.dataset(labels: 7, perLabel: 130).arrivalDays(days: 90)
        XCTAssertEqual(days, days.sorted(), "file order is arrival order")
        let perDay = Dictionary(grouping: days, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(perDay.count, 90, "every day gets tickets")
        XCTAssertLessThanOrEqual(perDay.values.max()! - perDay.values.min()!, 1)
    }

    func testDatedTicketsKeepTheirDayAndTheOthersSpreadAroundThem() {
        let tickets = [ReplayTicket(text: "a", label: "x", day: 7), ReplayTicket(text: "b", label: "x"),
                       ReplayTicket(text: "c", label: "x"), ReplayTicket(text: "d", label: "x", day: 500)]
        XCTAssertEqual(ReplayDataset(tickets: tickets, articles: []).arrivalDays(days: 10), [7, 0, 5, 9])
    }

    func testJSONLReadsTicketsAndArticlesAndNamesABadLine() throws {
        let tickets = """
        {"text": "my card was declined", "label": "card_declined", "day": 3, "context": {"plan": "pro"}}

        {"text": "what is the meaning of life", "label": "oos"}
        """
        let parsed = try ReplayDataset.decodeLines(ReplayTicket.self, text: tickets, path: "t.jsonl")
        XCTAssertEqual(parsed, [ReplayTicket(text: "my card was declined", label: "card_declined", day: 3, context: ["plan": "pro"]),
                                ReplayTicket(text: "what is the meaning of life", label: "oos")])
        XCTAssertTrue(parsed[0].isInScope)
        XCTAssertFalse(parsed[1].isInScope)

        XCTAssertThrowsError(try ReplayDataset.decodeLines(ReplayArticle.self, text: "{\"id\": \"a\", \"title\": \"t\", \"body\": \"b\", \"label\": \"l\"}\n{\"id\": \"b\"}",
                                                          path: "a.jsonl")) { error in
            XCTAssertEqual("\(error)", "a.jsonl:2: missing field \"title\"")
        }
    }

    func testLoadReadsBothFiles() throws {
        let dir = try TemporaryDirectory(prefix: "replay-dataset")
        defer { dir.remove() }
        let t = dir.file("t.jsonl"), a = dir.file("a.jsonl")
        try "{\"text\": \"q\", \"label\": \"l\"}\n".write(toFile: t, atomically: true, encoding: .utf8)
        try "{\"id\": \"A\", \"title\": \"T\", \"body\": \"B\", \"label\": \"l\"}\n".write(toFile: a, atomically: true, encoding: .utf8)
        let dataset = try ReplayDataset.load(ticketsPath: t, articlesPath: a)
        XCTAssertEqual(dataset.tickets.count, 1)
        XCTAssertEqual(dataset.articleByLabel["l"]?.id, "A")
        XCTAssertThrowsError(try ReplayDataset.load(ticketsPath: dir.file("missing"), articlesPath: a))
    }
}

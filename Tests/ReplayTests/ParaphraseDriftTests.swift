@testable import Replay
import XCTest

/// ParaphraseDrift.swift: the keyword, the re-dealt days, and the scenario that applies it.
final class ParaphraseDriftTests: XCTestCase {
    func testTheKeywordIsTheContentWordMostQuestionsUse() {
        let texts = ["How do I freeze my card", "freeze the card please", "my card is lost, freeze it", "stop anyone using it"]
        XCTAssertEqual(ParaphraseDrift.keyword(of: texts), "card", "card and freeze are in 3 each: the alphabetically first")
        XCTAssertEqual(ParaphraseDrift.keyword(of: ["what is my PIN", "pin reset", "I forgot it"]), "pin", "case-folded")
        XCTAssertNil(ParaphraseDrift.keyword(of: ["how do I", "can you"]), "only stopwords and short words")
        XCTAssertEqual(ParaphraseDrift.keyword(of: ["card card card", "freeze", "freeze"]), "freeze",
                       "counted once per question, not per use")
    }

    func testEachLabelKeepsItsDaysButKeywordPhrasingsComeFirst() {
        let labels = ["card", "card", "card", "card", "oos", "pin", "pin"]
        let texts = ["stop anyone using it", "freeze my card", "block it now", "lost card freeze", "weather today",
                     "reset pin", "new pin"]
        let arrival = [0, 10, 20, 30, 5, 3, 8]
        let dealt = ParaphraseDrift.redeal(labels: labels, texts: texts, arrival: arrival, outOfScopeLabel: "oos")
        // card's keyword is "card" (2 of 4) — or "freeze" (2 of 4): "card" comes first alphabetically.
        XCTAssertEqual(dealt[1], 0, "the first keyword phrasing takes the label's first day")
        XCTAssertEqual(dealt[3], 10)
        XCTAssertEqual(dealt[0], 20, "phrasings without the keyword move to the end, in their order")
        XCTAssertEqual(dealt[2], 30)
        XCTAssertEqual(dealt[4], 5, "out of scope is left alone")
        XCTAssertEqual([dealt[5], dealt[6]], [3, 8], "every pin question has the keyword: order kept")
        for label in Set(labels) {
            let indices = labels.indices.filter { labels[$0] == label }
            XCTAssertEqual(indices.map { dealt[$0] }.sorted(), indices.map { arrival[$0] }.sorted(), "\(label) keeps its days")
        }
    }

    func testTheScenarioDriftsPhrasingAndLeavesTheRestOfThePlan() throws {
        let tickets = (0..<40).map { i in
            ReplayTicket(text: i % 2 == 0 ? "question \(i) about refunds" : "question \(i) money back", label: "refund")
        }
        let dataset = ReplayDataset(tickets: tickets, articles: [ReplayArticle(id: "r", title: "Refunds", body: "b", label: "refund")])
        var scenario = ReplayScenario()
        scenario.days = 40
        let plain = try scenario.plan(dataset)
        scenario.paraphraseDrift = true
        let drifted = try scenario.plan(dataset)
        XCTAssertEqual(plain.tickets.map(\.day), drifted.tickets.map(\.day), "the same days")
        XCTAssertEqual(Set(plain.tickets.map(\.text)), Set(drifted.tickets.map(\.text)), "the same questions")
        // "question" is in all 40, so it is the keyword and nothing moves; make a sharper set.
        XCTAssertEqual(plain.tickets.map(\.text), drifted.tickets.map(\.text))
        let sharp = (0..<40).map { i in ReplayTicket(text: i % 4 != 0 ? "about refunds" : "money back \(i)", label: "refund") }
        let sharpPlan = try scenario.plan(ReplayDataset(tickets: sharp, articles: dataset.articles))
        XCTAssertTrue(sharpPlan.tickets.prefix(30).allSatisfy { $0.text == "about refunds" }, "\"refunds\" is in 30 of 40")
        XCTAssertTrue(sharpPlan.tickets.suffix(10).allSatisfy { $0.text.hasPrefix("money back") })
    }
}

@testable import Replay
import XCTest

/// CLINC150.swift: the converter, on a tiny CLINC-shaped file.
final class CLINC150Tests: XCTestCase {
    func testOneArticlePerIntentTitledFromItsNameWithTwoTrainingUtterances() throws {
        let dataset = try CLINC150.convert(Fixtures.clincJSON(), seed: 1)
        XCTAssertEqual(dataset.articles.map(\.id), ["card_declined", "pin_change", "weather"])
        XCTAssertEqual(dataset.articles.map(\.label), ["card_declined", "pin_change", "weather"])
        XCTAssertEqual(dataset.articles[0].title, "Card declined")
        XCTAssertEqual(dataset.articles[0].body, "Card declined\ntrain card_declined 0\ntrain card_declined 1")
        XCTAssertEqual(CLINC150.title(forIntent: "what_is_your_name"), "What is your name")
    }

    func testTicketsAreTheOtherUtterancesPlusOneOutOfScopePer19() throws {
        let dataset = try CLINC150.convert(Fixtures.clincJSON(), seed: 1)
        let inScope = dataset.tickets.filter(\.isInScope)
        let outOfScope = dataset.tickets.filter { !$0.isInScope }
        // 3 intents × (12 − 2 train + 4 val + 6 test) = 60 in scope; ⌊60 / 19⌋ = 3 out of scope.
        XCTAssertEqual(inScope.count, 60)
        XCTAssertEqual(outOfScope.count, 3)
        XCTAssertTrue(outOfScope.allSatisfy { $0.label == "oos" && $0.text.hasPrefix("oos ") })
        let texts = Set(dataset.tickets.map(\.text))
        XCTAssertEqual(texts.count, dataset.tickets.count, "no utterance twice")
        XCTAssertFalse(texts.contains("train card_declined 0"), "article utterances are not tickets")
        XCTAssertFalse(texts.contains("train weather 1"))
        XCTAssertTrue(texts.contains("train weather 2"))
        XCTAssertTrue(texts.contains("test pin_change 5"))
        XCTAssertTrue(dataset.tickets.allSatisfy { $0.day == nil })

        let bigger = try CLINC150.convert(Fixtures.clincJSON(intents: (0..<10).map { "i\($0)" }, train: 21, val: 0, test: 0), seed: 2)
        XCTAssertEqual(bigger.tickets.filter(\.isInScope).count, 190)
        XCTAssertEqual(bigger.tickets.filter { !$0.isInScope }.count, 10)
    }

    func testOutOfScopeIsCappedByWhatTheFileHas() throws {
        let dataset = try CLINC150.convert(Fixtures.clincJSON(train: 40, oosPerSplit: 1), seed: 1)
        XCTAssertEqual(dataset.tickets.filter { !$0.isInScope }.count, 3)
    }

    func testTheSeedDecidesTheOrderAndNothingElse() throws {
        let a = try CLINC150.convert(Fixtures.clincJSON(), seed: 42)
        let b = try CLINC150.convert(Fixtures.clincJSON(), seed: 42)
        let c = try CLINC150.convert(Fixtures.clincJSON(), seed: 43)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.tickets, c.tickets)
        XCTAssertEqual(a.articles, c.articles)
        XCTAssertEqual(a.tickets.filter(\.isInScope).map(\.text).sorted(), c.tickets.filter(\.isInScope).map(\.text).sorted())
        // Shuffled: not in file order.
        XCTAssertNotEqual(a.tickets.filter(\.isInScope).map(\.text), a.tickets.filter(\.isInScope).map(\.text).sorted())
    }

    func testMalformedFilesAreRefusedWithTheReason() {
        XCTAssertThrowsError(try CLINC150.convert(Data("{\"val\": []}".utf8), seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("no \"train\" split"), "\(error)")
        }
        XCTAssertThrowsError(try CLINC150.convert(Data("{\"train\": [[\"only text\"]]}".utf8), seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("train[0] has 1 fields"), "\(error)")
        }
        XCTAssertThrowsError(try CLINC150.load(directory: "/nonexistent-dir", seed: 1)) { error in
            guard case ReplayError.unreadable = error else { return XCTFail("\(error)") }
        }
    }

    /// One domain as its own stream: its intents' articles and tickets only, out-of-scope in the same proportion.
    func testADomainKeepsItsIntentsAndItsShareOfOutOfScope() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clinc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let intents = (0..<6).map { "i\($0)" }
        try Fixtures.clincJSON(intents: intents, train: 21, val: 0, test: 0, oosPerSplit: 20)
            .write(to: directory.appendingPathComponent(CLINC150.fileName))
        try Data(#"{"cards": ["i0", "i1"], "home": ["i2", "i3", "i4", "i5"]}"#.utf8)
            .write(to: directory.appendingPathComponent(CLINC150.domainsFileName))

        let cards = try CLINC150.load(directory: directory.path, seed: 1, domain: "cards")
        XCTAssertEqual(cards.articles.map(\.id).sorted(), ["i0", "i1"])
        let inScope = cards.tickets.filter { $0.label != ReplayDataset.outOfScopeLabel }
        XCTAssertEqual(Set(inScope.map(\.label)), ["i0", "i1"])
        XCTAssertEqual(inScope.count, 2 * 19, "21 training utterances each, 2 of them in the article")
        XCTAssertEqual(cards.tickets.count - inScope.count, 2, "one out-of-scope ticket per 19 kept")
        let all = try CLINC150.load(directory: directory.path, seed: 1)
        XCTAssertEqual(all.articles.count, 6)

        XCTAssertThrowsError(try CLINC150.load(directory: directory.path, seed: 1, domain: "travel")) { error in
            guard case let ReplayError.invalidOption(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("cards, home"), message)
        }
    }
}

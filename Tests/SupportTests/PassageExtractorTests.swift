import Foundation
@testable import Support
import XCTest

/// PassageExtractor.swift: which paragraph of an article answers a question, and how a long one is cut.
final class PassageExtractorTests: XCTestCase {
    private func article(title: String = "Refunds", body: String) -> Article {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        return Article(key: 1, id: "a", title: title, body: body, tags: [], status: .published, version: 1,
                       origin: .knowledgeBase, createdAt: date, updatedAt: date)
    }

    private func passage(_ question: String, title: String = "Refunds", _ paragraphs: [String]) -> String {
        PassageExtractor.passage(for: question, in: article(title: title, body: paragraphs.joined(separator: "\n\n")))
    }

    // MARK: Choice

    func testTheParagraphSharingTheMostQuestionWordsIsPicked() {
        let chosen = passage("how do I cancel my annual subscription", [
            "Plans can be changed at any time from the Billing page.",
            "To cancel an annual subscription open Billing and press Cancel.",
            "Monthly subscriptions renew on the same day each month.",
        ])
        XCTAssertEqual(chosen, "To cancel an annual subscription open Billing and press Cancel.")
    }

    func testWordsMatchAfterStemmingAndStopWordsDoNotCount() {
        let chosen = passage("where are the refunds", title: "Payments", [
            "Where are the settings? They are in the top bar.",
            "Every refund is paid to the card.",
        ])
        XCTAssertEqual(chosen, "Every refund is paid to the card.", "\"where are the\" are stop words; \"refunds\" stems to \"refund\"")
    }

    func testARepeatedWordCountsOnce() {
        let chosen = passage("refund for an annual plan", [
            "Refund, refund, refund: we refund quickly.",
            "An annual plan is refunded in full within 30 days.",
        ])
        XCTAssertEqual(chosen, "An annual plan is refunded in full within 30 days.",
                       "three distinct question words (refunded stems to refund) beat one said four times")
    }

    func testWithoutAnySharedWordTheFirstParagraphIsPicked() {
        XCTAssertEqual(passage("printer offline", ["First paragraph.", "Second paragraph."]), "First paragraph.")
    }

    func testOnATieTheFirstParagraphWins() {
        XCTAssertEqual(passage("export data", ["Export one.", "Data two.", "Data three."]), "Export one.")
        XCTAssertEqual(passage("export data", ["You can export.", "You can see the data."]), "You can export.",
                       "one word each: the earlier paragraph")
    }

    func testTitleWordsBreakATieOnQuestionWords() {
        let chosen = passage("export", title: "Download a CSV report", [
            "Press Export in the toolbar.",
            "Press Export to download the CSV report.",
        ])
        XCTAssertEqual(chosen, "Press Export to download the CSV report.", "both share \"export\"; the second also shares the title's words")
    }

    func testTitleWordsOnlyBreakTies() {
        let chosen = passage("export invoice", title: "Download a CSV report of every invoice and payment", [
            "Download a CSV report of every invoice payment: open Reports and press Download.",
            "Export an invoice from its page.",
        ])
        XCTAssertEqual(chosen, "Export an invoice from its page.",
                       "two question words beat one question word plus six title words (a title word weighs 0.05)")
    }

    func testHeadingsAndBlankParagraphsAreSkipped() {
        let body = "# Reset password\n\n   \n\nOpen Settings and choose Security.\n\n"
        let chosen = PassageExtractor.passage(for: "reset password", in: article(body: body))
        XCTAssertEqual(chosen, "Open Settings and choose Security.", "the heading matches both words but is not a passage")
    }

    func testAnEmptyBodyAnswersWithTheTitle() {
        XCTAssertEqual(PassageExtractor.passage(for: "refund", in: article(title: "Refunds", body: "")), "Refunds")
        XCTAssertEqual(PassageExtractor.passage(for: "refund", in: article(title: "Refunds", body: "\n\n  \n\n# Only a heading")), "Refunds")
    }

    func testAOneSentenceArticleIsReturnedWhole() {
        XCTAssertEqual(passage("anything at all", ["  Refunds take five days.  "]), "Refunds take five days.", "trimmed of surrounding blanks")
    }

    // MARK: Length

    func testAPassageAtTheLimitIsKeptWhole() {
        let exact = String(repeating: "a", count: PassageExtractor.maxCharacters - 1) + "."
        XCTAssertEqual(PassageExtractor.trimmed(exact), exact)
        let oneOver = String(repeating: "a", count: PassageExtractor.maxCharacters) + "."
        XCTAssertEqual(PassageExtractor.trimmed(oneOver), String(repeating: "a", count: PassageExtractor.maxCharacters) + "…")
    }

    func testALongPassageIsCutAtTheLastSentenceEndWithinTheLimit() {
        let first = String(repeating: "word ", count: 60) + "ends here."           // 310 characters
        let second = " " + String(repeating: "more ", count: 80) + "also ends!"    // 411: ends past 700
        let third = " " + String(repeating: "tail ", count: 20)
        let cut = PassageExtractor.trimmed(first + second + third)
        XCTAssertEqual(cut, first, "the second sentence ends past 700 characters, so it goes")
        XCTAssertLessThanOrEqual(cut.count, PassageExtractor.maxCharacters)
        let question = String(repeating: "x", count: 650) + "? " + String(repeating: "y", count: 100)
        XCTAssertEqual(PassageExtractor.trimmed(question), String(repeating: "x", count: 650) + "?", "a question mark ends a sentence too")
    }

    func testALongPassageWithoutAnEarlySentenceEndIsCutHardWithAnEllipsis() {
        let unbroken = String(repeating: "z", count: 900)
        XCTAssertEqual(PassageExtractor.trimmed(unbroken), String(repeating: "z", count: 700) + "…")
        let earlyStop = "Yes. " + String(repeating: "z", count: 900)
        XCTAssertEqual(PassageExtractor.trimmed(earlyStop), String(earlyStop.prefix(700)) + "…",
                       "a sentence end in the first 100 characters would leave too little: cut at the limit instead")
    }

    func testTheChosenParagraphIsTrimmed() {
        let long = String(repeating: "refund ", count: 150)
        let chosen = passage("refund", ["Short and unrelated.", long])
        XCTAssertEqual(chosen.count, PassageExtractor.maxCharacters + 1)
        XCTAssertTrue(chosen.hasSuffix("…"))
    }
}

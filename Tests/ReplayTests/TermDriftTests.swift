@testable import Replay
import XCTest

/// TermDrift.swift: the drift file and whole-word substitution.
final class TermDriftTests: XCTestCase {
    func testParsesPairsAndTheDayLine() throws {
        let drift = try TermDrift.parse("# phrasing after the rebrand\nday 45\ncard\twallet\ncredit score\trating\n")
        XCTAssertEqual(drift.startDay, 45)
        XCTAssertEqual(drift.substitutions, [.init(from: "card", to: "wallet"), .init(from: "credit score", to: "rating")])
        XCTAssertEqual(try TermDrift.parse("day 45\ncard\twallet", day: 10).startDay, 10, "--drift-day overrides")
    }

    func testRefusesMalformedFiles() {
        XCTAssertThrowsError(try TermDrift.parse("card\twallet")) { XCTAssertTrue("\($0)".contains("--drift-day")) }
        XCTAssertThrowsError(try TermDrift.parse("day 3\ncard wallet")) { XCTAssertTrue("\($0)".contains("drift:2:")) }
        XCTAssertThrowsError(try TermDrift.parse("day 3\na\tb\tc"))
    }

    func testReplacesWholeWordsIgnoringCase() {
        let drift = TermDrift(startDay: 0, substitutions: [.init(from: "card", to: "wallet"), .init(from: "credit score", to: "rating")])
        XCTAssertEqual(drift.apply(to: "My Card was declined; cards and discard stay, card."),
                       "My wallet was declined; cards and discard stay, wallet.")
        XCTAssertEqual(drift.apply(to: "what is my credit score?"), "what is my rating?")
    }
}

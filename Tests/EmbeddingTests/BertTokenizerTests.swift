import XCTest
@testable import Embedding

/// BertTokenizer.swift against the reference tokenizer (golden fixture) and on edge cases.
final class BertTokenizerTests: XCTestCase {
    func testGoldenTokenIDsMatchTheReferenceExactly() throws {
        let tokenizer = try BertTokenizer(modelDirectory: TestSupport.requireVocabulary())
        for golden in try TestSupport.goldenCases() {
            let ids = tokenizer.encode(golden.text)
            XCTAssertEqual(ids, golden.token_ids, "ids of \(golden.text.debugDescription)")
            XCTAssertEqual(tokenizer.tokens(for: ids), golden.tokens, "tokens of \(golden.text.debugDescription)")
        }
    }

    func testEmptyAndBlankTextsGiveClassifierAndSeparator() throws {
        let tokenizer = try miniTokenizer()
        XCTAssertEqual(tokenizer.encode(""), [2, 3])
        XCTAssertEqual(tokenizer.encode(" \t\n\u{0}\u{FFFD}\u{200B}"), [2, 3])
    }

    func testTruncatesToTheWindowKeepingSeparator() throws {
        let tokenizer = try miniTokenizer()
        let ids = tokenizer.encode(String(repeating: "reset ", count: 1000), maxLength: 10)
        XCTAssertEqual(ids.count, 10)
        XCTAssertEqual(ids.first, 2)
        XCTAssertEqual(ids.last, 3)
        XCTAssertEqual(tokenizer.encode("reset", maxLength: 0), [2, 3], "a window below 2 still frames the sequence")
        XCTAssertEqual(tokenizer.encode(String(repeating: "reset ", count: 1000), maxLength: 5000).count, 512)
    }

    func testHugeTextIsTokenisedOnlyAsFarAsTheWindow() throws {
        let tokenizer = try miniTokenizer()
        let huge = String(repeating: "password reset ", count: 400_000) // 6 MB
        let start = Date()
        let ids = tokenizer.encode(huge)
        XCTAssertEqual(ids.count, 128)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "tokenising stops once the window is full")
    }

    func testSplitsAWordIntoPiecesAtTheTruncationPoint() throws {
        // Truncation counts word pieces, not words: a word can be cut in the middle.
        let tokenizer = try miniTokenizer()
        XCTAssertEqual(tokenizer.tokens(for: tokenizer.encode("resetting", maxLength: 3)), ["[CLS]", "reset", "[SEP]"])
    }

    private func miniTokenizer() throws -> BertTokenizer {
        BertTokenizer(vocabulary: try Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "reset", "##ting", "password"]))
    }
}

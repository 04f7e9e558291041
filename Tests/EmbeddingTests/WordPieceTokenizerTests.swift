import XCTest
@testable import Embedding

/// WordPieceTokenizer.swift: greedy longest-match-first pieces.
final class WordPieceTokenizerTests: XCTestCase {
    private let vocabulary = try! Vocabulary(tokens: [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "unaff", "##a", "##ble", "é", "##é",
    ])

    private func pieces(_ word: String) -> [String] {
        let tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
        var ids: [Int32] = [99] // pieces are appended after whatever is there
        var scratch = WordPieceTokenizer.Scratch()
        tokenizer.appendPieces(of: Array(word.unicodeScalars), to: &ids, scratch: &scratch)
        XCTAssertEqual(ids.first, 99)
        return ids.dropFirst().map { vocabulary.token(for: $0) }
    }

    func testTakesTheLongestPieceFirst() {
        XCTAssertEqual(pieces("unaffable"), ["unaff", "##able"])
        XCTAssertEqual(pieces("unaffa"), ["unaff", "##a"])
    }

    func testAWordThatCannotBeCoveredIsOneUnknown() {
        XCTAssertEqual(pieces("unaffx"), ["[UNK]"])
        XCTAssertEqual(pieces("zzz"), ["[UNK]"])
    }

    func testWordsLongerThanTheLimitAreUnknown() {
        XCTAssertEqual(pieces(String(repeating: "a", count: 101)), ["[UNK]"])
    }

    func testMatchesBytesNotCanonicalEquivalents() {
        XCTAssertEqual(pieces("é"), ["é"])
        // "e" + combining acute is canonically equal to "é" in Swift, but not the same vocabulary entry.
        XCTAssertEqual(pieces("e\u{301}"), ["[UNK]"])
    }

    func testVocabularyRequiresSpecialTokens() {
        XCTAssertThrowsError(try Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]"])) { error in
            XCTAssertEqual(error as? EmbeddingError,
                           .malformedVocabulary(path: "<memory>", reason: "it has no [SEP] token"))
        }
    }
}

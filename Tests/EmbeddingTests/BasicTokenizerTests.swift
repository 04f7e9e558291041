import XCTest
@testable import Embedding

/// BasicTokenizer.swift: normalisation and the split into words.
final class BasicTokenizerTests: XCTestCase {
    private func words(_ text: String, lowercase: Bool = true) -> [String] {
        var result: [String] = []
        BasicTokenizer(lowercase: lowercase).forEachWord(in: text) { word in
            var string = ""
            string.unicodeScalars.append(contentsOf: word)
            result.append(string)
            return true
        }
        return result
    }

    func testSplitsOnWhitespaceAndIsolatesPunctuation() {
        XCTAssertEqual(words("Hello,  world!\tIt's\n$5 (ok)"),
                       ["hello", ",", "world", "!", "it", "'", "s", "$", "5", "(", "ok", ")"])
    }

    func testStripsAccentsAndLowercases() {
        XCTAssertEqual(words("Ünïcödé ÀCCENTS Ångström"), ["unicode", "accents", "angstrom"])
    }

    func testKeepsCaseAndAccentsWhenCased() {
        XCTAssertEqual(words("Ünï Code", lowercase: false), ["Ünï", "Code"])
    }

    func testIsolatesEachCJKIdeograph() {
        XCTAssertEqual(words("北京support漢字"), ["北", "京", "support", "漢", "字"])
    }

    func testDeletesControlAndFormatCharacters() {
        XCTAssertEqual(words("pass\u{0}word\u{200D}s\u{FFFD} ok\u{7}"), ["passwords", "ok"])
    }

    func testUnicodePunctuationAndSymbols() {
        // — and … are punctuation (split off); emoji and © are symbols (kept in the word).
        XCTAssertEqual(words("a—b…c 🚀x ©"), ["a", "—", "b", "…", "c", "🚀x", "©"])
    }

    func testNonBreakingAndIdeographicSpacesSeparateWords() {
        XCTAssertEqual(words("a\u{00A0}b\u{3000}c\u{2009}d"), ["a", "b", "c", "d"])
    }

    func testStopsWhenAsked() {
        var seen = 0
        BasicTokenizer().forEachWord(in: "one two three four") { _ in
            seen += 1
            return seen < 2
        }
        XCTAssertEqual(seen, 2)
    }
}

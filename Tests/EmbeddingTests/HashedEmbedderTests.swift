import XCTest
@testable import Embedding

/// HashedEmbedder.swift: the fallback's contract.
final class HashedEmbedderTests: XCTestCase {
    private let embedder = HashedEmbedder()
    private func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    func testIsDeterministicUnitLengthAndNamed() {
        let texts = ["How do I reset my password?", "", "🚀", String(repeating: "x ", count: 100_000)]
        let first = embedder.embed(texts)
        XCTAssertEqual(first, HashedEmbedder().embed(texts))
        for vector in first {
            XCTAssertEqual(vector.count, 384)
            XCTAssertEqual(dot(vector, vector), 1, accuracy: 1e-5)
        }
        XCTAssertEqual(embedder.identity, EmbedderIdentity(name: "hashed-ngram-v1", dimension: 384))
        XCTAssertEqual(HashedEmbedder(dimension: 64).embed("a").count, 64)
    }

    func testSharedWordsAndSpellingsAreCloser() {
        let v = embedder.embed(["reset my password", "Password resetting", "weather forecast tomorrow"])
        XCTAssertGreaterThan(dot(v[0], v[1]), dot(v[0], v[2]) + 0.2)
    }

    func testNormalisesLikeTheTokenizer() {
        XCTAssertEqual(embedder.embed("Ünïcödé!"), embedder.embed("unicode !"))
    }
}

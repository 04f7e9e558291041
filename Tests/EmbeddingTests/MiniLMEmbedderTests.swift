import Foundation
import XCTest
@testable import Embedding

/// MiniLMEmbedder.swift and BertEncoder.swift against the float64 reference forward pass.
final class MiniLMEmbedderTests: XCTestCase {
    func testMatchesTheReferenceEmbeddings() throws {
        let model = try TestSupport.sharedModel()
        let cases = try TestSupport.goldenCases()
        for golden in cases {
            let vector = model.embed(golden.text)
            XCTAssertEqual(vector.count, 384)
            let similarity = cosine(vector, golden.embedding)
            XCTAssertGreaterThanOrEqual(similarity, 0.9999, "cosine to the reference for \(golden.text.debugDescription)")
        }
    }

    func testBatchingDoesNotChangeResults() throws {
        let model = try TestSupport.sharedModel()
        let texts = try TestSupport.goldenCases().map(\.text)
        let alone = texts.map { model.embed($0) }
        let together = model.embed(texts)
        let reversed = Array(model.embed(texts.reversed()).reversed())
        for index in texts.indices {
            XCTAssertLessThanOrEqual(maxDifference(alone[index], together[index]), 1e-5, texts[index])
            XCTAssertLessThanOrEqual(maxDifference(alone[index], reversed[index]), 1e-5, texts[index])
        }
    }

    func testSmallChunksAndTilesGiveTheSameVectors() throws {
        let directory = try TestSupport.requireModel()
        var options = MiniLMEmbedder.Options()
        options.chunkTokens = 130 // forces several packed chunks per call
        options.feedForwardRows = 7 // and ragged feed-forward tiles
        options.parallelism = .splitBatch(workers: 3)
        let small = try MiniLMEmbedder(modelDirectory: directory, options: options)
        let model = try TestSupport.sharedModel()
        let texts = try TestSupport.goldenCases().map(\.text)
        for (a, b) in zip(small.embed(texts), model.embed(texts)) {
            XCTAssertLessThanOrEqual(maxDifference(a, b), 1e-5)
        }
    }

    func testColumnSplitSingleSentencesMatchOneThread() throws {
        // One sentence is not split by sentences; its large products are split by columns.
        var options = MiniLMEmbedder.Options()
        options.parallelism = .splitBatch(workers: 1)
        let oneThread = try MiniLMEmbedder(modelDirectory: try TestSupport.requireModel(), options: options)
        let model = try TestSupport.sharedModel()
        for text in try TestSupport.goldenCases().map(\.text) {
            XCTAssertLessThanOrEqual(maxDifference(oneThread.embed(text), model.embed(text)), 1e-5, text)
        }
    }

    func testEdgeCaseTextsGiveUnitVectors() throws {
        let model = try TestSupport.sharedModel()
        let texts = ["", " ", "\u{0}\u{FFFD}", "🚀", String(repeating: "refund please ", count: 100_000)]
        let vectors = model.embed(texts)
        XCTAssertEqual(vectors.count, texts.count)
        for (text, vector) in zip(texts, vectors) {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-4, "norm for \(text.prefix(20).debugDescription)")
            XCTAssertFalse(vector.contains { !$0.isFinite })
        }
        XCTAssertEqual(model.embed([]), [])
    }

    func testTokenIDInputIsTruncatedAndTolerant() throws {
        let model = try TestSupport.sharedModel()
        let long = [Int32](repeating: 2000, count: 600)
        let vectors = model.embed(tokenIDs: [long, [], [101, 99_999_999, 102]])
        // Batched with shorter sequences the BLAS kernels may block the sums
        // differently than for the sequence alone: equal to float rounding, not bit for bit.
        XCTAssertLessThanOrEqual(maxDifference(vectors[0], model.embed(tokenIDs: [Array(long.prefix(128))])[0]), 1e-5,
                                 "a 600-token input is cut to its first 128 tokens")
        XCTAssertEqual(vectors[1], [Float](repeating: 0, count: 384), "an empty sequence gives a zero vector")
        XCTAssertTrue(vectors[2].allSatisfy(\.isFinite))
    }

    func testConcurrentCallersGetTheSameVectors() throws {
        let model = try TestSupport.sharedModel()
        let texts = try TestSupport.goldenCases().map(\.text)
        let expected = model.embed(texts)
        let results = ResultBox(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            results.set(index, model.embed(texts))
        }
        for index in 0..<4 {
            for (a, b) in zip(results.get(index), expected) {
                XCTAssertLessThanOrEqual(maxDifference(a, b), 1e-5)
            }
        }
    }

    func testSemanticallyCloseSentencesAreCloser() throws {
        let model = try TestSupport.sharedModel()
        let v = model.embed(["How do I reset my password?", "I forgot my password", "What is the weather like?"])
        func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        XCTAssertGreaterThan(dot(v[0], v[1]), dot(v[0], v[2]) + 0.2)
    }

    func testIdentityNamesTheModel() throws {
        let model = try TestSupport.sharedModel()
        XCTAssertEqual(model.identity, EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 384))
        XCTAssertEqual(model.dimension, 384)
    }

    func testRefusesAVocabularyThatDoesNotFitTheModel() throws {
        let directory = try TestSupport.requireModel()
        let broken = try TestSupport.temporaryDirectory(self)
        for file in ["model.safetensors", "config.json"] {
            try FileManager.default.createSymbolicLink(atPath: broken + "/" + file, withDestinationPath: directory + "/" + file)
        }
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n".write(toFile: broken + "/vocab.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MiniLMEmbedder(modelDirectory: broken)) { error in
            XCTAssertTrue("\(error)".contains("vocab_size 30522"), "\(error)")
        }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[[Float]]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [[Float]]) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> [[Float]] { lock.lock(); defer { lock.unlock() }; return values[index] }
}

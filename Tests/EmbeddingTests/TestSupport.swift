import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Embedding

/// Where the tests find the model and the golden oracle.
enum TestSupport {
    /// The model directory (LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2 above
    /// this file or the current directory) holding `file`, or `nil`.
    static func modelDirectory(requiring file: String = "model.safetensors") -> String? {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        return ModelLocator.locate(
            requiring: file, startDirectories: [here, FileManager.default.currentDirectoryPath])
    }

    /// The model directory, or an XCTSkip that says how to install it.
    static func requireModel() throws -> String {
        guard let directory = modelDirectory() else {
            throw XCTSkip("all-MiniLM-L6-v2 is not installed: \(ModelLocator.installHint)")
        }
        return directory
    }

    /// A directory with vocab.txt (the tokenizer needs nothing more), or an XCTSkip.
    static func requireVocabulary() throws -> String {
        guard let directory = modelDirectory(requiring: "vocab.txt") else {
            throw XCTSkip("vocab.txt of all-MiniLM-L6-v2 is not installed: \(ModelLocator.installHint)")
        }
        return directory
    }

    /// One sentence of `Fixtures/minilm-golden.json`: the reference tokenizer's
    /// ids and the float64 reference embedding.
    struct GoldenCase: Decodable {
        var text: String
        var token_ids: [Int32]
        var tokens: [String]
        var embedding: [Double]
    }

    static func goldenCases() throws -> [GoldenCase] {
        struct Fixture: Decodable { var cases: [GoldenCase] }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "minilm-golden", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
    }

    /// A loaded model shared by the tests of one process (loading maps 90 MB).
    static func sharedModel() throws -> MiniLMEmbedder {
        let directory = try requireModel()
        return try ModelCache.shared.model(at: directory)
    }

    /// A fresh temporary directory, removed at the end of the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let directory = try TemporaryDirectory(prefix: "embedding-tests")
        test.addTeardownBlock { directory.remove() }
        return directory.path
    }
}

private final class ModelCache: @unchecked Sendable {
    static let shared = ModelCache()
    private let lock = NSLock()
    private var models: [String: MiniLMEmbedder] = [:]

    func model(at directory: String) throws -> MiniLMEmbedder {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[directory] { return model }
        let model = try MiniLMEmbedder(modelDirectory: directory)
        models[directory] = model
        return model
    }
}

/// Cosine similarity in double precision.
func cosine(_ a: [Float], _ b: [Double]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * y
        na += Double(x) * Double(x)
        nb += y * y
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

/// Largest absolute difference of two vectors.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

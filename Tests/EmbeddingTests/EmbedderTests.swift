import Foundation
import XCTest
@testable import Embedding

/// Embedder.swift, ModelLocator.swift and EmbedderIdentity.swift: choosing an embedder and refusing mismatches.
final class EmbedderTests: XCTestCase {
    func testFallsBackLoudlyWhenTheModelIsAbsent() throws {
        var warnings: [String] = []
        let embedder = try Embedder.load(environment: [:], searchDirectories: ["/"]) { warnings.append($0) }
        XCTAssertTrue(embedder is HashedEmbedder)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("scripts/install-model.sh"), warnings[0])
        XCTAssertFalse(warnings[0].contains("\n"), "one line")
    }

    func testAnExplicitDirectoryWithoutTheModelIsAnError() throws {
        let empty = try TestSupport.temporaryDirectory(self)
        XCTAssertThrowsError(try Embedder.load(environment: ["LOOPDESK_MODEL_DIR": empty])) { error in
            XCTAssertEqual(error as? EmbeddingError, .fileNotFound(path: empty + "/config.json"))
        }
        XCTAssertThrowsError(try Embedder.load(modelDirectory: empty, environment: [:]))
    }

    func testLoadsTheInstalledModel() throws {
        let directory = try TestSupport.requireModel()
        var warnings: [String] = []
        let embedder = try Embedder.load(environment: ["LOOPDESK_MODEL_DIR": directory]) { warnings.append($0) }
        XCTAssertTrue(embedder is MiniLMEmbedder)
        XCTAssertEqual(warnings, [])
    }

    func testLocatorWalksUpToTheModelsDirectory() throws {
        let root = try TestSupport.temporaryDirectory(self)
        let model = root + "/models/all-MiniLM-L6-v2"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/a/b/c", withIntermediateDirectories: true)
        try "x".write(toFile: model + "/vocab.txt", atomically: true, encoding: .utf8)
        let found = ModelLocator.locate(requiring: "vocab.txt", environment: [:], startDirectories: [root + "/a/b/c"])
        XCTAssertEqual(found.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       URL(fileURLWithPath: model).resolvingSymlinksInPath().path)
        XCTAssertNil(ModelLocator.locate(environment: [:], startDirectories: [root + "/a/b/c"]), "no model.safetensors there")
        XCTAssertNil(ModelLocator.locate(requiring: "vocab.txt", environment: ["LOOPDESK_MODEL_DIR": root], startDirectories: [root]))
    }

    func testIdentityMismatchIsRefused() throws {
        let model = EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 384)
        XCTAssertNoThrow(try model.requireMatch(EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 384)))
        let stored = HashedEmbedder().identity
        XCTAssertThrowsError(try model.requireMatch(stored)) { error in
            XCTAssertEqual(error as? EmbeddingError, .identityMismatch(stored: stored, current: model))
            XCTAssertTrue("\(error)".contains("hashed-ngram-v1 (384-d)"))
        }
        let decoded = try JSONDecoder().decode(EmbedderIdentity.self, from: JSONEncoder().encode(model))
        XCTAssertEqual(decoded, model)
    }
}

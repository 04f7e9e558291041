import Foundation

/// A WordPiece vocabulary read from `vocab.txt`: one token a line, the line
/// number being the token's id.
///
/// Tokens are keyed by their UTF-8 bytes, not by `String`: Swift compares
/// strings by canonical equivalence, so a decomposed Hangul word would match a
/// precomposed vocabulary entry that the reference tokenizer never matches.
struct Vocabulary: Sendable {
    let path: String
    private let ids: [[UInt8]: Int32]
    private let tokens: [String]

    /// Ids of the special tokens BERT wraps and pads sequences with.
    let padID: Int32, unknownID: Int32, classifierID: Int32, separatorID: Int32

    /// Reads `path`.
    /// - Throws: ``EmbeddingError/fileNotFound(path:)``, or
    ///   ``EmbeddingError/malformedVocabulary(path:reason:)`` when the file is
    ///   not UTF-8 or lacks `[PAD]`, `[UNK]`, `[CLS]` or `[SEP]`.
    init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingError.fileNotFound(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmbeddingError.cannotRead(path: path, reason: "the file is unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbeddingError.malformedVocabulary(path: path, reason: "the file is not UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            // Like the reference loader: trailing whitespace (a CRLF's \r) is not part of a token.
            var token = line
            while let last = token.last, last.isWhitespace { token.removeLast() }
            return String(token)
        }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw EmbeddingError.malformedVocabulary(path: path, reason: "the file is empty") }
        try self.init(tokens: lines, path: path)
    }

    /// Builds a vocabulary from tokens in id order (tests use small ones).
    init(tokens: [String], path: String = "<memory>") throws {
        self.path = path
        self.tokens = tokens
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            ids[Array(token.utf8)] = Int32(index) // a repeated token keeps its last id, as the reference does
        }
        self.ids = ids
        func special(_ token: String) throws -> Int32 {
            guard let id = ids[Array(token.utf8)] else {
                throw EmbeddingError.malformedVocabulary(path: path, reason: "it has no \(token) token")
            }
            return id
        }
        padID = try special("[PAD]")
        unknownID = try special("[UNK]")
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
    }

    /// The number of tokens (the largest id plus one).
    var count: Int { tokens.count }

    /// The id of the token spelled by `utf8`, or `nil` when it is not in the vocabulary.
    func id(utf8: [UInt8]) -> Int32? { ids[utf8] }

    /// The token with id `id`, or `[UNK]` for an id out of range.
    func token(for id: Int32) -> String {
        tokens.indices.contains(Int(id)) ? tokens[Int(id)] : tokens[Int(unknownID)]
    }
}

import Foundation

/// The shape of a BERT encoder, read from the model's `config.json`.
///
/// The forward pass runs any post-LayerNorm BERT with absolute positions and
/// exact (erf) GELU; `load(path:)` refuses anything else rather than running
/// it wrongly.
struct BertConfiguration: Sendable, Equatable {
    var vocabularySize: Int
    var hiddenSize: Int
    var layerCount: Int
    var headCount: Int
    var intermediateSize: Int
    var maxPositions: Int
    var typeVocabularySize: Int
    var layerNormEpsilon: Float

    /// The width of one attention head.
    var headSize: Int { hiddenSize / headCount }

    /// all-MiniLM-L6-v2's configuration, for tests that build synthetic models.
    static let miniLM = BertConfiguration(
        vocabularySize: 30522, hiddenSize: 384, layerCount: 6, headCount: 12,
        intermediateSize: 1536, maxPositions: 512, typeVocabularySize: 2, layerNormEpsilon: 1e-12)

    /// Reads and checks `config.json`.
    /// - Throws: ``EmbeddingError/fileNotFound(path:)`` or
    ///   ``EmbeddingError/unsupportedConfiguration(path:reason:)`` naming the offending key.
    static func load(path: String) throws -> BertConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw EmbeddingError.fileNotFound(path: path) }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw EmbeddingError.unsupportedConfiguration(path: path, reason: "not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            guard let value = (json[key] as? NSNumber)?.intValue, value > 0 else {
                throw EmbeddingError.unsupportedConfiguration(path: path, reason: "'\(key)' is missing or not a positive integer")
            }
            return value
        }
        func require(_ key: String, in accepted: Set<String>, default fallback: String) throws {
            let value = json[key] as? String ?? fallback
            guard accepted.contains(value) else {
                throw EmbeddingError.unsupportedConfiguration(
                    path: path, reason: "'\(key)' is '\(value)'; this forward pass supports \(accepted.sorted())")
            }
        }
        try require("hidden_act", in: ["gelu"], default: "gelu")
        try require("position_embedding_type", in: ["absolute"], default: "absolute")
        let config = BertConfiguration(
            vocabularySize: try integer("vocab_size"),
            hiddenSize: try integer("hidden_size"),
            layerCount: try integer("num_hidden_layers"),
            headCount: try integer("num_attention_heads"),
            intermediateSize: try integer("intermediate_size"),
            maxPositions: try integer("max_position_embeddings"),
            typeVocabularySize: try integer("type_vocab_size"),
            layerNormEpsilon: Float((json["layer_norm_eps"] as? NSNumber)?.doubleValue ?? 1e-12))
        guard config.hiddenSize % config.headCount == 0 else {
            throw EmbeddingError.unsupportedConfiguration(
                path: path, reason: "hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.headCount)")
        }
        return config
    }
}

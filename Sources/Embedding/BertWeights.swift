/// The tensors of a BERT encoder, checked against its configuration.
///
/// Weights are used in place from the memory-mapped safetensors file, in
/// PyTorch's `[out, in]` layout (sgemm reads them transposed). The only copy is
/// each layer's query, key and value projections stacked into one
/// `[3·hidden, hidden]` matrix, so that one sgemm computes all three.
struct BertWeights: @unchecked Sendable {
    // @unchecked: every pointer is read-only after load and kept alive by `storage`.

    struct Layer {
        /// Query, key and value weights stacked, `[3H, H]`, and their biases, `[3H]`.
        var qkvWeight: UnsafePointer<Float>, qkvBias: UnsafePointer<Float>
        var attentionOutputWeight: UnsafePointer<Float>, attentionOutputBias: UnsafePointer<Float>
        var attentionNormGamma: UnsafePointer<Float>, attentionNormBeta: UnsafePointer<Float>
        var intermediateWeight: UnsafePointer<Float>, intermediateBias: UnsafePointer<Float>
        var outputWeight: UnsafePointer<Float>, outputBias: UnsafePointer<Float>
        var outputNormGamma: UnsafePointer<Float>, outputNormBeta: UnsafePointer<Float>
    }

    var wordEmbeddings: UnsafePointer<Float>
    var positionEmbeddings: UnsafePointer<Float>
    var tokenTypeEmbeddings: UnsafePointer<Float>
    var embeddingNormGamma: UnsafePointer<Float>, embeddingNormBeta: UnsafePointer<Float>
    var layers: [Layer]

    /// Owns the mapping and the stacked projections.
    private let storage: Storage

    private final class Storage {
        let file: SafeTensors
        let stacked: UnsafeMutableBufferPointer<Float>
        init(file: SafeTensors, stackedCount: Int) {
            self.file = file
            stacked = .allocate(capacity: stackedCount)
        }
        deinit { stacked.deallocate() }
    }

    /// Reads every tensor of `config`'s encoder from `file`.
    /// - Throws: ``EmbeddingError`` naming the first missing or mis-shaped tensor.
    init(file: SafeTensors, config: BertConfiguration) throws {
        let h = config.hiddenSize, i = config.intermediateSize
        func tensor(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
            try file.floats(name, shape: shape).baseAddress!
        }
        // Checkpoints exported with a task head prefix their tensors with "bert.".
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil
            && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""

        wordEmbeddings = try tensor(prefix + "embeddings.word_embeddings.weight", [config.vocabularySize, h])
        positionEmbeddings = try tensor(prefix + "embeddings.position_embeddings.weight", [config.maxPositions, h])
        tokenTypeEmbeddings = try tensor(prefix + "embeddings.token_type_embeddings.weight", [config.typeVocabularySize, h])
        embeddingNormGamma = try tensor(prefix + "embeddings.LayerNorm.weight", [h])
        embeddingNormBeta = try tensor(prefix + "embeddings.LayerNorm.bias", [h])

        let perLayer = 3 * h * h + 3 * h
        storage = Storage(file: file, stackedCount: perLayer * config.layerCount)
        layers = []
        for l in 0..<config.layerCount {
            let p = prefix + "encoder.layer.\(l)."
            let stacked = storage.stacked.baseAddress! + l * perLayer
            for (part, name) in ["query", "key", "value"].enumerated() {
                let weight = try file.floats(p + "attention.self.\(name).weight", shape: [h, h])
                let bias = try file.floats(p + "attention.self.\(name).bias", shape: [h])
                (stacked + part * h * h).update(from: weight.baseAddress!, count: h * h)
                (stacked + 3 * h * h + part * h).update(from: bias.baseAddress!, count: h)
            }
            layers.append(Layer(
                qkvWeight: UnsafePointer(stacked), qkvBias: UnsafePointer(stacked + 3 * h * h),
                attentionOutputWeight: try tensor(p + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try tensor(p + "intermediate.dense.weight", [i, h]),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [i]),
                outputWeight: try tensor(p + "output.dense.weight", [h, i]),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [h])))
        }
    }
}

/// The tensors of a BERT encoder, checked against its configuration.
///
/// Embedding tables, biases and LayerNorm parameters are used in place from
/// the memory-mapped safetensors file. The four projection matrices of each
/// layer are copied once, at load, from PyTorch's `[out, in]` layout to
/// `[in, out]`, with the query, key and value projections side by side in one
/// `[hidden, 3·hidden]` matrix: one sgemm then computes all three, and every
/// product reads its weights untransposed, which OpenBLAS packs faster (it
/// repacks them on every call, which dominates small batches). The mapped
/// pages of the originals are handed back to the kernel after the copy, so
/// resident memory holds each weight once.
struct BertWeights: @unchecked Sendable {
    // @unchecked: every pointer is read-only after load and kept alive by `storage`.

    struct Layer {
        /// Query, key and value weights side by side, `[H, 3H]`, and their biases, `[3H]`.
        /// Every `…Weight` matrix is `[in, out]`.
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

    /// Owns the mapping and the transposed projections.
    private let storage: Storage

    private final class Storage {
        let file: SafeTensors
        let projections: UnsafeMutableBufferPointer<Float>
        init(file: SafeTensors, count: Int) {
            self.file = file
            projections = .allocate(capacity: count)
        }
        deinit { projections.deallocate() }
    }

    /// Copies the `[rows, columns]` tensor `name` into `destination` transposed, its
    /// rows `stride` floats apart (so several matrices can sit side by side), then
    /// lets the kernel drop the original's pages.
    private static func transpose(
        _ file: SafeTensors, _ name: String, rows: Int, columns: Int,
        into destination: UnsafeMutablePointer<Float>, stride: Int
    ) throws {
        let source = try file.floats(name, shape: [rows, columns]).baseAddress!
        let block = 32 // cache-sized tiles: both sides stay in L1 while a tile moves
        for r0 in Swift.stride(from: 0, to: rows, by: block) {
            for c0 in Swift.stride(from: 0, to: columns, by: block) {
                for r in r0..<min(r0 + block, rows) {
                    for c in c0..<min(c0 + block, columns) { destination[c * stride + r] = source[r * columns + c] }
                }
            }
        }
        file.discardPages(of: name)
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

        let perLayer = 3 * h * h + 3 * h + h * h + 2 * h * i
        storage = Storage(file: file, count: perLayer * config.layerCount)
        layers = []
        for l in 0..<config.layerCount {
            let p = prefix + "encoder.layer.\(l)."
            let qkv = storage.projections.baseAddress! + l * perLayer
            let qkvBias = qkv + 3 * h * h
            let attentionOutput = qkvBias + 3 * h
            let intermediate = attentionOutput + h * h
            let output = intermediate + h * i
            for (part, name) in ["query", "key", "value"].enumerated() {
                try Self.transpose(file, p + "attention.self.\(name).weight", rows: h, columns: h,
                                   into: qkv + part * h, stride: 3 * h)
                let bias = try file.floats(p + "attention.self.\(name).bias", shape: [h])
                (qkvBias + part * h).update(from: bias.baseAddress!, count: h)
            }
            try Self.transpose(file, p + "attention.output.dense.weight", rows: h, columns: h, into: attentionOutput, stride: h)
            try Self.transpose(file, p + "intermediate.dense.weight", rows: i, columns: h, into: intermediate, stride: i)
            try Self.transpose(file, p + "output.dense.weight", rows: h, columns: i, into: output, stride: h)
            layers.append(Layer(
                qkvWeight: UnsafePointer(qkv), qkvBias: UnsafePointer(qkvBias),
                attentionOutputWeight: UnsafePointer(attentionOutput),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: UnsafePointer(intermediate),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [i]),
                outputWeight: UnsafePointer(output),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [h])))
        }
    }
}

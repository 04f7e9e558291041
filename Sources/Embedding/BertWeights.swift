/// The tensors of a BERT encoder, checked against its configuration.
///
/// Embedding tables, biases and LayerNorm parameters are used in place from
/// the memory-mapped safetensors file. The four projection matrices of each
/// layer are copied once, at load, from PyTorch's `[out, in]` layout to
/// `[in, out]` — the query, key and value projections side by side in one
/// `[hidden, 3·hidden]` matrix, so one product computes all three — and packed
/// into 64-column panels (``PackedWeight``), the layout the product kernel
/// streams into registers. BLAS would repack them on every call, which
/// dominated small batches. The mapped pages of the originals are handed back
/// to the kernel after the copy, so resident memory holds each weight once.
struct BertWeights: @unchecked Sendable {
    // @unchecked: every pointer is read-only after load and kept alive by `storage`.

    struct Layer {
        /// Query, key and value weights side by side, `[H, 3H]`, and their biases, `[3H]`.
        /// Every `…Weight` matrix is `[in, out]`, packed.
        var qkvWeight: PackedWeight, qkvBias: UnsafePointer<Float>
        var attentionOutputWeight: PackedWeight, attentionOutputBias: UnsafePointer<Float>
        var attentionNormGamma: UnsafePointer<Float>, attentionNormBeta: UnsafePointer<Float>
        var intermediateWeight: PackedWeight, intermediateBias: UnsafePointer<Float>
        var outputWeight: PackedWeight, outputBias: UnsafePointer<Float>
        var outputNormGamma: UnsafePointer<Float>, outputNormBeta: UnsafePointer<Float>
    }

    var wordEmbeddings: UnsafePointer<Float>
    var positionEmbeddings: UnsafePointer<Float>
    var tokenTypeEmbeddings: UnsafePointer<Float>
    var embeddingNormGamma: UnsafePointer<Float>, embeddingNormBeta: UnsafePointer<Float>
    var layers: [Layer]

    /// Owns the mapping, the packed projections and each layer's query, key and value biases.
    private let storage: Storage

    private final class Storage {
        let file: SafeTensors
        let packed: UnsafeMutableRawPointer
        let biases: UnsafeMutableBufferPointer<Float>
        init(file: SafeTensors, packedFloats: Int, biasFloats: Int) {
            self.file = file
            packed = .allocate(byteCount: packedFloats * MemoryLayout<Float>.stride, alignment: 64)
            biases = .allocate(capacity: biasFloats)
        }
        deinit {
            packed.deallocate()
            biases.deallocate()
        }
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

        // Each layer is transposed into `scratch`, then packed into the storage for good.
        let shapes = [(h, 3 * h), (h, h), (h, i), (i, h)] // [in, out]: qkv, attention output, intermediate, output
        let perLayerPacked = shapes.reduce(0) { $0 + PackedWeight.floats(rows: $1.0, columns: $1.1) }
        storage = Storage(file: file, packedFloats: perLayerPacked * config.layerCount, biasFloats: 3 * h * config.layerCount)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: 3 * h * h + h * h + 2 * h * i)
        defer { scratch.deallocate() }
        var nextPacked = storage.packed.assumingMemoryBound(to: Float.self)
        func pack(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) -> PackedWeight {
            let weight = PackedWeight(packing: matrix, rows: rows, columns: columns, into: nextPacked)
            nextPacked += PackedWeight.floats(rows: rows, columns: columns)
            return weight
        }
        layers = []
        for l in 0..<config.layerCount {
            let p = prefix + "encoder.layer.\(l)."
            let qkv = scratch.baseAddress!
            let attentionOutput = qkv + 3 * h * h
            let intermediate = attentionOutput + h * h
            let output = intermediate + h * i
            let qkvBias = storage.biases.baseAddress! + l * 3 * h
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
                qkvWeight: pack(qkv, rows: h, columns: 3 * h), qkvBias: UnsafePointer(qkvBias),
                attentionOutputWeight: pack(attentionOutput, rows: h, columns: h),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: pack(intermediate, rows: h, columns: i),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [i]),
                outputWeight: pack(output, rows: i, columns: h),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [h])))
        }
    }
}

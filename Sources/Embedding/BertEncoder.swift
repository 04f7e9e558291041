import CSupport
import Dispatch
import Primitives

/// The BERT forward pass on BLAS: token ids in, mean-pooled L2-normalised
/// sentence vectors out.
///
/// Sequences of a batch are *packed* back to back rather than padded to the
/// longest: every token-wise step (the projections, the feed-forward network,
/// LayerNorm) runs over the packed rows as one sgemm, and attention runs per
/// sequence over its own tokens only. That is exactly a padded batch with an
/// attention mask, minus the work on padding. All matrix products are
/// `cblas_sgemm`; the element-wise work between them is fused
/// (``ElementwiseKernels``).
struct BertEncoder: Sendable {
    let config: BertConfiguration
    let weights: BertWeights

    /// Embeds `sequences` (token ids, each 1...`maxPositions` long) into
    /// `output`, `hiddenSize` floats per sequence, in order.
    func embed(_ sequences: ArraySlice<[Int32]>, into output: UnsafeMutablePointer<Float>, workspace: BertWorkspace) {
        let start = monotonicNanoseconds()
        defer { workspace.forwardNanoseconds += monotonicNanoseconds() - start }
        var chunk: [(offset: Int, ids: ArraySlice<Int32>)] = []
        var tokens = 0
        var written = 0
        for ids in sequences {
            let clipped = ids.prefix(min(config.maxPositions, workspace.tokenCapacity))
            if tokens + clipped.count > workspace.tokenCapacity {
                forward(chunk, tokens: tokens, into: output + written * config.hiddenSize, workspace: workspace)
                written += chunk.count
                chunk.removeAll(keepingCapacity: true)
                tokens = 0
            }
            chunk.append((tokens, clipped))
            tokens += clipped.count
        }
        if !chunk.isEmpty {
            forward(chunk, tokens: tokens, into: output + written * config.hiddenSize, workspace: workspace)
        }
    }

    /// One packed chunk through embeddings, every layer and pooling.
    private func forward(
        _ chunk: [(offset: Int, ids: ArraySlice<Int32>)], tokens: Int,
        into output: UnsafeMutablePointer<Float>, workspace ws: BertWorkspace
    ) {
        let h = config.hiddenSize
        embedTokens(chunk, workspace: ws)
        for layer in weights.layers {
            attention(layer, chunk, tokens: tokens, workspace: ws)
            feedForward(layer, tokens: tokens, workspace: ws)
        }
        for (index, sequence) in chunk.enumerated() where !sequence.ids.isEmpty {
            ElementwiseKernels.meanPoolNormalised(
                ws.hidden + sequence.offset * h, rows: sequence.ids.count, columns: h, into: output + index * h)
        }
        for index in chunk.indices where chunk[index].ids.isEmpty {
            (output + index * h).update(repeating: 0, count: h)
        }
    }

    /// hidden = LayerNorm(word[id] + position[p] + tokenType[0]).
    private func embedTokens(_ chunk: [(offset: Int, ids: ArraySlice<Int32>)], workspace ws: BertWorkspace) {
        let h = config.hiddenSize
        for sequence in chunk {
            for (position, id) in sequence.ids.enumerated() {
                let row = ws.hidden + (sequence.offset + position) * h
                let safeID = (0..<Int32(config.vocabularySize)).contains(id) ? Int(id) : 0
                let word = weights.wordEmbeddings + safeID * h
                let place = weights.positionEmbeddings + position * h
                for j in 0..<h { row[j] = word[j] + place[j] + weights.tokenTypeEmbeddings[j] }
            }
            ElementwiseKernels.addLayerNorm(
                residual: ws.hidden + sequence.offset * h, bias: nil, rows: sequence.ids.count, columns: h,
                gamma: weights.embeddingNormGamma, beta: weights.embeddingNormBeta, epsilon: config.layerNormEpsilon)
        }
    }

    /// hidden = LayerNorm(hidden + SelfAttention(hidden) · Wₒ + bₒ).
    ///
    /// Biases and residuals ride in the sgemm's C operand (β = 1): the
    /// projections start from their bias rows and the output projection adds
    /// onto the hidden state itself, so no pass exists only to add them.
    private func attention(
        _ layer: BertWeights.Layer, _ chunk: [(offset: Int, ids: ArraySlice<Int32>)], tokens: Int,
        workspace ws: BertWorkspace
    ) {
        let h = config.hiddenSize, d = config.headSize
        ElementwiseKernels.broadcastRows(layer.qkvBias, columns: 3 * h, rows: tokens, into: ws.qkv)
        gemm(m: tokens, n: 3 * h, k: h, a: ws.hidden, lda: h, b: layer.qkvWeight, ldb: 3 * h, transposeB: false,
             c: ws.qkv, ldc: 3 * h, accumulate: true, workspace: ws)
        let scale = 1 / Float(d).squareRoot()
        for sequence in chunk {
            let n = sequence.ids.count
            guard n > 0 else { continue }
            for head in 0..<config.headCount {
                let query = ws.qkv + sequence.offset * 3 * h + head * d
                // scores = Q Kᵀ, then softmax(scores / √d) row by row.
                gemm(m: n, n: n, k: d, a: query, lda: 3 * h, b: query + h, ldb: 3 * h, transposeB: true,
                     c: ws.scores, ldc: n, accumulate: false, workspace: ws)
                ElementwiseKernels.scaledSoftmax(ws.scores, rows: n, columns: n, scale: scale)
                // context[:, head] = scores V
                gemm(m: n, n: d, k: n, a: ws.scores, lda: n, b: query + 2 * h, ldb: 3 * h, transposeB: false,
                     c: ws.context + sequence.offset * h + head * d, ldc: h, accumulate: false, workspace: ws)
            }
        }
        gemm(m: tokens, n: h, k: h, a: ws.context, lda: h, b: layer.attentionOutputWeight, ldb: h, transposeB: false,
             c: ws.hidden, ldc: h, accumulate: true, workspace: ws)
        ElementwiseKernels.addLayerNorm(
            residual: ws.hidden, bias: layer.attentionOutputBias, rows: tokens, columns: h,
            gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: config.layerNormEpsilon)
    }

    /// hidden = LayerNorm(hidden + GELU(hidden · W₁ + b₁) · W₂ + b₂), a tile of rows at a time
    /// so that the 4×-wide intermediate activation stays bounded.
    private func feedForward(_ layer: BertWeights.Layer, tokens: Int, workspace ws: BertWorkspace) {
        let h = config.hiddenSize, i = config.intermediateSize
        var first = 0
        while first < tokens {
            let rows = min(ws.feedForwardRows, tokens - first)
            let hidden = ws.hidden + first * h
            ElementwiseKernels.broadcastRows(layer.intermediateBias, columns: i, rows: rows, into: ws.intermediate)
            gemm(m: rows, n: i, k: h, a: hidden, lda: h, b: layer.intermediateWeight, ldb: i, transposeB: false,
                 c: ws.intermediate, ldc: i, accumulate: true, workspace: ws)
            ElementwiseKernels.gelu(ws.intermediate, count: rows * i)
            // The residual is the sgemm's C: hidden += GELU(…) · W₂ᵀ.
            gemm(m: rows, n: h, k: i, a: ws.intermediate, lda: i, b: layer.outputWeight, ldb: h, transposeB: false,
                 c: hidden, ldc: h, accumulate: true, workspace: ws)
            ElementwiseKernels.addLayerNorm(
                residual: hidden, bias: layer.outputBias, rows: rows, columns: h,
                gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: config.layerNormEpsilon)
            first += rows
        }
    }

    /// C[m×n] (+)= A[m×k] · B (B is `[k, n]`, or `[n, k]` read transposed), all row-major, timed.
    ///
    /// With `workspace.columnWorkers > 1` a large product is split into column
    /// blocks run on that many threads (each packs only its share of B).
    /// - Parameter accumulate: add to C (β = 1) rather than overwrite it (β = 0).
    @inline(__always)
    private func gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, workspace: BertWorkspace
    ) {
        let start = monotonicNanoseconds()
        let product = Product(
            m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc,
            beta: accumulate ? 1 : 0)
        let parts = workspace.columnWorkers
        if parts > 1, n >= 64 * parts, m * n * k >= Self.minimumWorkToSplitColumns {
            let width = (n / parts + 15) / 16 * 16 // column blocks on 64-byte boundaries
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let columns = min(n, part * width)..<min(n, (part + 1) * width)
                if !columns.isEmpty { product.run(columns: columns) }
            }
        } else {
            product.run(columns: 0..<n)
        }
        workspace.sgemmNanoseconds += monotonicNanoseconds() - start
    }

    /// Multiply-adds below which splitting a product across threads costs more than it saves.
    private static let minimumWorkToSplitColumns = 1 << 20
}

/// One `cblas_sgemm` call's operands, runnable on any column block of C.
private struct Product: @unchecked Sendable {
    // @unchecked: threads given disjoint column blocks write disjoint parts of C
    // and only read A and B.
    let m: Int, n: Int, k: Int
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int, transposeB: Bool
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let beta: Float

    @inline(__always)
    func run(columns: Range<Int>) {
        let bColumns = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(columns.count), blasint(k), 1, a, blasint(lda), bColumns, blasint(ldb),
                    beta, c + columns.lowerBound, blasint(ldc))
    }
}

/// Nanoseconds on the monotonic clock.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

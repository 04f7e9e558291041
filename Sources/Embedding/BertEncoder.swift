import CSupport
import Dispatch
import Primitives

/// The BERT forward pass on BLAS: token ids in, mean-pooled L2-normalised
/// sentence vectors out.
///
/// Sequences of a batch are *packed* back to back rather than padded to the
/// longest: every token-wise step (the projections, the feed-forward network,
/// LayerNorm) runs over the packed rows as one product, and attention runs per
/// sequence over its own tokens only. That is exactly a padded batch with an
/// attention mask, minus the work on padding. Products against the weights go
/// through ``PackedWeight`` (panels packed once, at load); attention's products
/// between activations are `cblas_sgemm`; the element-wise work between them is
/// fused (``ElementwiseKernels``).
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
        project(ws.hidden, rows: tokens, lda: h, by: layer.qkvWeight, into: ws.qkv, ldc: 3 * h, workspace: ws)
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
        project(ws.context, rows: tokens, lda: h, by: layer.attentionOutputWeight, into: ws.hidden, ldc: h, workspace: ws)
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
            project(hidden, rows: rows, lda: h, by: layer.intermediateWeight, into: ws.intermediate, ldc: i, workspace: ws)
            ElementwiseKernels.gelu(ws.intermediate, count: rows * i)
            // The residual is the product's C: hidden += GELU(…) · W₂ᵀ.
            project(ws.intermediate, rows: rows, lda: i, by: layer.outputWeight, into: hidden, ldc: h, workspace: ws)
            ElementwiseKernels.addLayerNorm(
                residual: hidden, bias: layer.outputBias, rows: rows, columns: h,
                gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: config.layerNormEpsilon)
            first += rows
        }
    }

    /// C[rows, weight.columns] += A[rows, weight.rows] · weight, row-major, timed (C holds the bias or
    /// the residual already).
    ///
    /// With `workspace.columnWorkers > 1` a large product is split into blocks of
    /// whole panels run on that many threads.
    @inline(__always)
    private func project(
        _ a: UnsafePointer<Float>, rows: Int, lda: Int, by weight: PackedWeight, into c: UnsafeMutablePointer<Float>, ldc: Int,
        workspace: BertWorkspace
    ) {
        let projection = Projection(a: a, rows: rows, lda: lda, weight: weight, c: c, ldc: ldc)
        splitByColumns(n: weight.columns, multiplyAdds: rows * weight.columns * weight.rows,
                       alignment: PackedWeight.panelWidth, workspace: workspace) { projection.run(columns: $0) }
    }

    /// C[m×n] (+)= A[m×k] · B (B is `[k, n]`, or `[n, k]` read transposed), all row-major, timed:
    /// attention's products between activations.
    ///
    /// With `workspace.columnWorkers > 1` a large product is split into column
    /// blocks run on that many threads (each packs only its share of B).
    /// - Parameter accumulate: add to C (β = 1) rather than overwrite it (β = 0).
    @inline(__always)
    private func gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, workspace: BertWorkspace
    ) {
        let product = Product(
            m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc,
            beta: accumulate ? 1 : 0)
        // Column blocks on 64-byte boundaries.
        splitByColumns(n: n, multiplyAdds: m * n * k, alignment: 16, workspace: workspace) { product.run(columns: $0) }
    }

    /// Runs `product` on C's columns `0..<n`, timed: split into `workspace.columnWorkers` blocks of
    /// a multiple of `alignment` columns, one per thread, when the product is large enough to gain.
    @inline(__always)
    private func splitByColumns(
        n: Int, multiplyAdds: Int, alignment: Int, workspace: BertWorkspace, _ product: @Sendable (Range<Int>) -> Void
    ) {
        let start = monotonicNanoseconds()
        let parts = workspace.columnWorkers
        if parts > 1, n >= 64 * parts, multiplyAdds >= Self.minimumWorkToSplitColumns {
            let width = ((n + parts - 1) / parts + alignment - 1) / alignment * alignment
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let columns = min(n, part * width)..<min(n, (part + 1) * width)
                if !columns.isEmpty { product(columns) }
            }
        } else {
            product(0..<n)
        }
        workspace.sgemmNanoseconds += monotonicNanoseconds() - start
    }

    /// Multiply-adds below which splitting a product across threads costs more than it saves.
    private static let minimumWorkToSplitColumns = 1 << 20
}

/// One projection's operands (C += A · weight), runnable on any block of whole panels of C.
private struct Projection: @unchecked Sendable {
    // @unchecked: threads given disjoint column blocks write disjoint parts of C
    // and only read A and the weight.
    let a: UnsafePointer<Float>, rows: Int, lda: Int
    let weight: PackedWeight
    let c: UnsafeMutablePointer<Float>, ldc: Int

    @inline(__always)
    func run(columns: Range<Int>) {
        weight.multiply(a, rows: rows, lda: lda, into: c, ldc: ldc, columns: columns, accumulate: true)
    }
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

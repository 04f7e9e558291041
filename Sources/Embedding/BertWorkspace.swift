/// The scratch memory of one forward pass, allocated once and reused.
///
/// Sized for a chunk of at most ``tokenCapacity`` tokens packed back to back:
/// the hidden state, the stacked query/key/value projections, the attention
/// context, one sequence's attention scores for one head, and a feed-forward
/// tile of the intermediate activation. A workspace belongs to one thread at a time
/// (``WorkspacePool`` hands them out).
final class BertWorkspace {
    let tokenCapacity: Int
    let feedForwardRows: Int

    let hidden: UnsafeMutablePointer<Float>      // [tokens, H]
    let qkv: UnsafeMutablePointer<Float>         // [tokens, 3H]
    let context: UnsafeMutablePointer<Float>     // [tokens, H]
    let scores: UnsafeMutablePointer<Float>      // [maxSequence, maxSequence]
    let intermediate: UnsafeMutablePointer<Float> // [feedForwardRows, I]

    /// Time spent in sgemm and in whole forward passes on this workspace, for
    /// the benchmark's "share of time in sgemm".
    var sgemmNanoseconds: UInt64 = 0
    var forwardNanoseconds: UInt64 = 0

    /// Threads each large sgemm's output columns are split across: more than one
    /// when this workspace runs a batch too small to split by sentences (a single
    /// sentence, say), so that its latency still gets every core.
    var columnWorkers = 1

    private let allocation: UnsafeMutableBufferPointer<Float>

    /// - Parameters:
    ///   - config: the model's shape.
    ///   - tokenCapacity: the most tokens one chunk may pack; at least the longest sequence.
    ///   - maxSequence: the longest sequence (for the attention score matrix).
    ///   - feedForwardRows: rows per feed-forward tile; small enough that a tile of
    ///     the intermediate activation stays in cache between its two sgemms.
    init(config: BertConfiguration, tokenCapacity: Int, maxSequence: Int, feedForwardRows: Int) {
        self.tokenCapacity = tokenCapacity
        self.feedForwardRows = feedForwardRows
        let h = config.hiddenSize
        let sizes = [tokenCapacity * h, tokenCapacity * 3 * h, tokenCapacity * h,
                     maxSequence * maxSequence, feedForwardRows * config.intermediateSize]
        // One allocation, each buffer starting on a 64-byte boundary.
        let padded = sizes.map { ($0 + 15) / 16 * 16 }
        allocation = .allocate(capacity: padded.reduce(0, +) + 16)
        let base = allocation.baseAddress!
        let misalignment = (Int(bitPattern: base) / 4) % 16
        var cursor = base + (misalignment == 0 ? 0 : 16 - misalignment)
        var buffers: [UnsafeMutablePointer<Float>] = []
        for size in padded {
            buffers.append(cursor)
            cursor += size
        }
        (hidden, qkv, context, scores, intermediate) = (buffers[0], buffers[1], buffers[2], buffers[3], buffers[4])
    }

    deinit { allocation.deallocate() }
}

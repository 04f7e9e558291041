import CSupport
import Foundation

/// all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT, mean pooling) run natively on
/// OpenBLAS: the embedder the answer service is meant to use.
///
/// Loading maps the safetensors file and reads `vocab.txt` and `config.json`;
/// nothing else happens at run time, and no Python is involved. Instances are
/// thread-safe: concurrent calls each take their own workspace from a pool.
/// Batches are split across ``Options/parallelism`` worker threads, each with
/// its own workspace, and sentences of a batch are packed rather than padded;
/// a batch too small to split (one sentence) splits its large matrix products
/// by columns instead, so single-sentence latency also uses every core.
public final class MiniLMEmbedder: SentenceEmbedder {
    /// How a batch uses the machine's cores.
    public enum Parallelism: Sendable, Equatable {
        /// Split each batch into this many contiguous parts, one per thread, each
        /// thread with its own workspace and single-threaded BLAS. The default:
        /// small per-head matrix products do not parallelise well inside BLAS.
        case splitBatch(workers: Int)
        /// Run each batch on the calling thread and let OpenBLAS use this many threads.
        case blas(threads: Int)
    }

    /// Tuning knobs; the defaults are what the benchmark found best.
    public struct Options: Sendable {
        /// Token window, `[CLS]` and `[SEP]` included: 128 as the model was trained
        /// (sentence-transformers uses 256; the reference and the tests use 128).
        public var maxLength = 128
        /// How batches use the cores. Setting it sets OpenBLAS's thread count,
        /// which is process-wide.
        public var parallelism = Parallelism.splitBatch(workers: min(2, ProcessInfo.processInfo.activeProcessorCount))
        /// The most tokens one forward pass packs; bounds each workspace (about
        /// 8 KB of activations per token, plus one feed-forward tile).
        public var chunkTokens = 2048
        /// Rows per feed-forward tile.
        public var feedForwardRows = 1024
        /// A batch with fewer tokens than this is not split by sentences; its large
        /// products are split by columns instead.
        public var minimumTokensToSplit = 64

        /// The defaults.
        public init() {}
    }

    /// The model's name (its directory's name) and output dimension, stored beside the vectors made with it.
    public let identity: EmbedderIdentity
    /// The tokenizer that turns texts into the ids this model reads.
    public let tokenizer: BertTokenizer
    /// The options the embedder was loaded with (``Options/maxLength`` clamped to the model's positions).
    public let options: Options

    private let encoder: BertEncoder
    private let pool: WorkspacePool

    /// Loads the model in `modelDirectory` (`model.safetensors`, `config.json`, `vocab.txt`).
    ///
    /// The identity's name is the directory's name (`all-MiniLM-L6-v2` as
    /// installed by `scripts/install-model.sh`).
    /// - Throws: ``EmbeddingError`` naming the missing file, or the tensor with
    ///   the wrong dtype or shape.
    public init(modelDirectory: String, options: Options = Options()) throws {
        let config = try BertConfiguration.load(path: modelDirectory + "/config.json")
        let file = try SafeTensors(path: modelDirectory + "/model.safetensors")
        let weights = try BertWeights(file: file, config: config)
        let tokenizer = try BertTokenizer(modelDirectory: modelDirectory)
        guard tokenizer.vocabularySize == config.vocabularySize else {
            throw EmbeddingError.malformedVocabulary(
                path: modelDirectory + "/vocab.txt",
                reason: "it has \(tokenizer.vocabularySize) tokens but config.json says vocab_size \(config.vocabularySize)")
        }
        var options = options
        options.maxLength = min(max(options.maxLength, 2), config.maxPositions, BertTokenizer.maximumSupportedLength)
        options.chunkTokens = max(options.chunkTokens, options.maxLength)
        options.feedForwardRows = max(1, min(options.feedForwardRows, options.chunkTokens))
        self.options = options
        self.tokenizer = tokenizer
        encoder = BertEncoder(config: config, weights: weights)
        let (capacity, longest, rows) = (options.chunkTokens, options.maxLength, options.feedForwardRows)
        pool = WorkspacePool {
            BertWorkspace(config: config, tokenCapacity: capacity, maxSequence: longest, feedForwardRows: rows)
        }
        let name = URL(fileURLWithPath: modelDirectory).standardizedFileURL.lastPathComponent
        identity = EmbedderIdentity(name: name, dimension: config.hiddenSize)
        switch options.parallelism {
        case .splitBatch: openblas_set_num_threads(1)
        case .blas(let threads): openblas_set_num_threads(Int32(max(1, threads)))
        }
    }

    /// Tokenizes each text (cut at `options.maxLength` tokens) and returns one mean-pooled, L2-normalised vector per text, in order.
    public func embed(_ texts: [String]) -> [[Float]] {
        embed(tokenIDs: texts.map { tokenizer.encode($0, maxLength: options.maxLength) })
    }

    /// Embeds already-tokenised sequences (from ``tokenizer``), one vector each, in order.
    ///
    /// Sequences longer than ``Options/maxLength`` are truncated; an empty one
    /// gives a zero vector; out-of-range ids read as `[PAD]`.
    public func embed(tokenIDs: [[Int32]]) -> [[Float]] {
        let h = identity.dimension
        guard !tokenIDs.isEmpty else { return [] }
        let sequences = tokenIDs.map { $0.count > options.maxLength ? Array($0.prefix(options.maxLength)) : $0 }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: sequences.count * h)
        defer { output.deallocate() }

        let parts = split(sequences)
        if parts.count == 1 {
            // Too small to split by sentences: split each large product by columns instead.
            var columnWorkers = 1
            if case .splitBatch(let workers) = options.parallelism { columnWorkers = workers }
            run(sequences[...], into: output.baseAddress!, columnWorkers: columnWorkers)
        } else {
            let base = SendablePointer(output.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                let range = parts[part]
                self.run(sequences[range], into: base.pointer + range.lowerBound * h)
            }
        }
        return (0..<sequences.count).map { Array(output[($0 * h)..<(($0 + 1) * h)]) }
    }

    private func run(_ sequences: ArraySlice<[Int32]>, into output: UnsafeMutablePointer<Float>, columnWorkers: Int = 1) {
        let workspace = pool.take()
        workspace.columnWorkers = columnWorkers
        encoder.embed(sequences, into: output, workspace: workspace)
        pool.give(workspace)
    }

    /// Contiguous index ranges with about equal token counts, one per worker.
    private func split(_ sequences: [[Int32]]) -> [Range<Int>] {
        guard case .splitBatch(let workers) = options.parallelism, workers > 1, sequences.count > 1 else {
            return [sequences.indices]
        }
        let total = sequences.reduce(0) { $0 + $1.count }
        guard total >= options.minimumTokensToSplit else { return [sequences.indices] }
        let parts = min(workers, sequences.count)
        var ranges: [Range<Int>] = []
        var start = 0, seen = 0
        for (index, sequence) in sequences.enumerated() {
            seen += sequence.count
            let remainingParts = parts - ranges.count - 1
            if remainingParts > 0, seen * parts >= total * (ranges.count + 1),
               sequences.count - index - 1 >= remainingParts {
                ranges.append(start..<(index + 1))
                start = index + 1
            }
        }
        ranges.append(start..<sequences.count)
        return ranges.filter { !$0.isEmpty }
    }

    /// Where the time went since the last ``resetProfile()``, summed over threads.
    public struct Profile: Sendable {
        /// Thread-seconds in `cblas_sgemm`.
        public var sgemmSeconds: Double
        /// Thread-seconds in forward passes (sgemm included; tokenising excluded).
        public var forwardSeconds: Double
        /// `sgemmSeconds / forwardSeconds`.
        public var sgemmShare: Double { forwardSeconds > 0 ? sgemmSeconds / forwardSeconds : 0 }
    }

    /// Time spent in sgemm and in forward passes, for benchmarks. Read it while no call is running.
    public func profile() -> Profile {
        let (sgemm, forward) = pool.timings()
        return Profile(sgemmSeconds: Double(sgemm) / 1e9, forwardSeconds: Double(forward) / 1e9)
    }

    /// The OpenBLAS kernel set in use (`SkylakeX`, `Haswell`, …; `Prescott` is the slow generic one).
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }

    /// Zeroes ``profile()``.
    public func resetProfile() { pool.resetTimings() }
}

/// A raw pointer handed to worker threads that write disjoint ranges behind it.
private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

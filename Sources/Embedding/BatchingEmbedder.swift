import Foundation

/// An embedder that gathers the single texts of concurrent callers into one
/// batch, embedded on a thread of its own.
///
/// Why: every forward pass streams all of the model's projection weights
/// (42 MB for MiniLM) through the cores, for one short sentence as for forty,
/// so questions that arrive together — four connections asking at once — are
/// cheaper embedded together than one by one (`loopdesk embed --bench`:
/// 245–335 sentences/s one at a time, 473–517 in fours). And the service's cooperative
/// threads stay free for everything else an ask does while the batch runs
/// (Benchmarks/RESULTS.md, "POST /v1/ask").
///
/// How: ``embedQueued(_:)`` appends the text to a queue and suspends. One
/// thread takes everything queued — at most ``maximumBatch`` texts — embeds it
/// with the wrapped embedder in one call, and resumes each caller with its own
/// vector. While a batch runs, newcomers queue for the next one, so under load
/// batches grow by themselves and an idle service adds no wait (a timer that
/// held a lone text back for company measured slower: Benchmarks/RESULTS.md).
/// Batch calls (``embed(_:)``, an import's) go straight to the
/// wrapped embedder on the caller's thread.
public final class BatchingEmbedder: SentenceEmbedder {
    /// How many texts one batch takes at most; the rest wait for the next.
    public var maximumBatch: Int { queue.maximumBatch }
    /// The embedder every batch runs on.
    public var base: any SentenceEmbedder { queue.base }
    public var identity: EmbedderIdentity { base.identity }

    /// How many batches ran and how many texts they held, since the embedder was made.
    public struct Counts: Sendable, Equatable {
        /// Batches embedded.
        public var batches = 0
        /// Texts embedded in them.
        public var texts = 0
        /// The largest batch.
        public var largestBatch = 0
    }

    private let queue: Queue

    /// Wraps `base` and starts the batching thread, which ends when the embedder is released.
    /// - Parameter maximumBatch: the most texts per batch (at least 1).
    public init(_ base: any SentenceEmbedder, maximumBatch: Int = 64) {
        let queue = Queue(base: base, maximumBatch: max(1, maximumBatch))
        self.queue = queue
        let thread = Thread { queue.work() }
        thread.name = "loopdesk-embed"
        thread.start()
    }

    deinit { queue.close() }

    /// Embeds `texts` on the caller's thread, as the wrapped embedder does: an already
    /// batched call has nothing to gain from the queue.
    public func embed(_ texts: [String]) -> [[Float]] {
        base.embed(texts)
    }

    /// Embeds one text in the next batch, together with whatever other callers queued meanwhile.
    public func embedQueued(_ text: String) async -> [Float] {
        await withCheckedContinuation { continuation in queue.append(text, continuation) }
    }

    /// Texts waiting for the next batch (for tests).
    var queuedTexts: Int { queue.withLock { $0.waiting.count } }

    /// The batches run so far.
    public var batchCounts: Counts { queue.withLock { $0.counts } }

    /// The texts waiting, the counts and the batching thread's loop. The thread holds the
    /// queue, not the embedder, so releasing the embedder ends the thread (once the texts
    /// already queued are embedded).
    private final class Queue: @unchecked Sendable {
        // @unchecked: `state` is guarded by `condition`; the rest is immutable.
        struct Waiting {
            let text: String
            let continuation: CheckedContinuation<[Float], Never>
        }

        struct State {
            var waiting: [Waiting] = []
            var counts = Counts()
            var closed = false
        }

        let base: any SentenceEmbedder
        let maximumBatch: Int
        private let condition = NSCondition()
        private var state = State()

        init(base: any SentenceEmbedder, maximumBatch: Int) {
            self.base = base
            self.maximumBatch = maximumBatch
        }

        func withLock<T>(_ body: (inout State) -> T) -> T {
            condition.lock()
            defer { condition.unlock() }
            return body(&state)
        }

        func append(_ text: String, _ continuation: CheckedContinuation<[Float], Never>) {
            withLock { $0.waiting.append(Waiting(text: text, continuation: continuation)) }
            condition.signal()
        }

        func close() {
            withLock { $0.closed = true }
            condition.signal()
        }

        func work() {
            while let batch = nextBatch() {
                let vectors = base.embed(batch.map(\.text))
                withLock { state in
                    state.counts.batches += 1
                    state.counts.texts += batch.count
                    state.counts.largestBatch = max(state.counts.largestBatch, batch.count)
                }
                for (waiting, vector) in zip(batch, vectors) { waiting.continuation.resume(returning: vector) }
            }
        }

        /// Waits for a text and takes up to ``maximumBatch`` texts; `nil` once closed with nothing left.
        private func nextBatch() -> [Waiting]? {
            condition.lock()
            defer { condition.unlock() }
            while state.waiting.isEmpty {
                if state.closed { return nil }
                condition.wait()
            }
            let taken = Array(state.waiting.prefix(maximumBatch))
            state.waiting.removeFirst(taken.count)
            return taken
        }
    }
}

import Foundation
import XCTest
@testable import Embedding

/// BatchingEmbedder: concurrent single texts meet in one batch, each caller gets its own
/// vector, batches respect their cap, and batch calls bypass the queue.
final class BatchingEmbedderTests: XCTestCase {
    /// Records each batch it is given; the first batch waits until the test opens the gate,
    /// so that texts queue behind it.
    private final class GatedEmbedder: SentenceEmbedder, @unchecked Sendable {
        let inner = HashedEmbedder(dimension: 16)
        let gate = DispatchSemaphore(value: 0)
        let lock = NSLock()
        var batches: [[String]] = []
        var identity: EmbedderIdentity { inner.identity }

        func embed(_ texts: [String]) -> [[Float]] {
            lock.lock()
            let first = batches.isEmpty
            batches.append(texts)
            lock.unlock()
            if first { gate.wait() }
            return inner.embed(texts)
        }

        var recorded: [[String]] {
            lock.lock()
            defer { lock.unlock() }
            return batches
        }
    }

    /// Waits (up to 10 s) until `condition` holds.
    private func eventually(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !condition(), Date() < deadline { usleep(1_000) }
    }

    func testTextsQueuedBehindABatchAreEmbeddedTogetherEachWithItsOwnVector() async {
        let base = GatedEmbedder()
        let batcher = BatchingEmbedder(base, maximumBatch: 64)
        let texts = (0..<9).map { "question number \($0)" }
        await withTaskGroup(of: (Int, [Float]).self) { group in
            group.addTask { (0, await batcher.embedQueued(texts[0])) }
            eventually { base.recorded.count == 1 } // the first batch is running, held at the gate
            for index in 1..<texts.count { group.addTask { (index, await batcher.embedQueued(texts[index])) } }
            eventually { batcher.queuedTexts == texts.count - 1 }
            base.gate.signal()
            for await (index, vector) in group {
                XCTAssertEqual(vector, base.inner.embed(texts[index]), "text \(index) got another text's vector")
            }
        }
        XCTAssertEqual(base.recorded.count, 2)
        XCTAssertEqual(Set(base.recorded[1]), Set(texts[1...]))
        XCTAssertEqual(batcher.batchCounts, BatchingEmbedder.Counts(batches: 2, texts: 9, largestBatch: 8))
    }

    func testABatchTakesAtMostItsCap() async {
        let base = GatedEmbedder()
        let batcher = BatchingEmbedder(base, maximumBatch: 3)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await batcher.embedQueued("first") }
            eventually { base.recorded.count == 1 }
            for index in 0..<7 { group.addTask { _ = await batcher.embedQueued("waiting \(index)") } }
            eventually { batcher.queuedTexts == 7 }
            base.gate.signal()
        }
        XCTAssertEqual(base.recorded.map(\.count), [1, 3, 3, 1])
    }

    func testBatchCallsGoStraightToTheWrappedEmbedder() {
        let base = GatedEmbedder()
        base.gate.signal() // the first batch need not wait
        let batcher = BatchingEmbedder(base)
        let vectors = batcher.embed(["a", "b"])
        XCTAssertEqual(vectors, base.inner.embed(["a", "b"]))
        XCTAssertEqual(base.recorded, [["a", "b"]])
        XCTAssertEqual(batcher.batchCounts.batches, 0, "a batch call is not a queued batch")
        XCTAssertEqual(batcher.identity, base.identity)
    }

    func testAnEmbedderThatDoesNotQueueEmbedsAtOnce() async {
        let hashed = HashedEmbedder(dimension: 16)
        let vector = await hashed.embedQueued("reset my password")
        XCTAssertEqual(vector, hashed.embed("reset my password"))
    }
}

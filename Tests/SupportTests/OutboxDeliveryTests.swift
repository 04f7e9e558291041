import Foundation
import Logging
import LoopdeskTestSupport
@testable import Support
import Wire
import XCTest

/// OutboxDelivery.swift: the core outbox leaves SQLite in order, only once the core
/// took each change (or refused it for good), and waits while the core is away.
final class OutboxDeliveryTests: XCTestCase {
    /// A fake core's answers: it records every change it receives (UPSERT, DELETE,
    /// FEEDBACK) and refuses the ones a test scripted, accepting the rest.
    private final class ScriptedCore: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [Request] = []
        private var refusals: [ErrorCode?] = []
        private var onFirstChange: (@Sendable () -> Void)?

        /// The next changes' answers, in order: a code refuses one, nil accepts it; afterwards all are accepted.
        func answerNext(_ answers: [ErrorCode?]) { lock.withLock { refusals = answers } }

        /// Runs `body` once, when the next change arrives, before it is answered.
        func whenTheNextChangeArrives(_ body: @escaping @Sendable () -> Void) { lock.withLock { onFirstChange = body } }

        /// The changes received so far, in order.
        var changes: [Request] { lock.withLock { received } }

        /// The changes as short words: `upsert [1, 2]`, `delete [1]`, `feedback 9/7`.
        var log: [String] {
            changes.map { request in
                switch request {
                case .upsert(let upsert): "upsert \(upsert.items.ids)"
                case .delete(let delete): "delete \(delete.ids)"
                case .feedback(let feedback): "feedback \(feedback.impression)/\(feedback.group)"
                default: "other"
                }
            }
        }

        var handler: FakeCoreServer.Handler {
            { [self] connection, header, payload in
                let request: Request
                do throws(WireError) {
                    request = try Request.decode(kind: header.kind, payload: payload)
                } catch {
                    return connection.send(ErrorPayload.frame(error, kind: header.kind, requestID: header.requestID))
                }
                switch request {
                case .upsert, .delete, .feedback:
                    let (refusal, hook) = lock.withLock { () -> (ErrorCode?, (@Sendable () -> Void)?) in
                        received.append(request)
                        defer { onFirstChange = nil }
                        return (refusals.isEmpty ? nil : refusals.removeFirst(), onFirstChange)
                    }
                    hook?()
                    if let refusal {
                        return connection.send(ErrorPayload.frame(WireError(refusal, "scripted refusal"), kind: header.kind,
                                                                  requestID: header.requestID))
                    }
                default:
                    break
                }
                connection.send(FakeCoreServer.reply(to: header, payload: payload))
            }
        }
    }

    private var directory: TemporaryDirectory!
    private var store: SQLiteStore!
    private var script: ScriptedCore!
    private var core: FakeCoreServer?
    private var gateway: CoreGateway!

    private var socketPath: String { directory.file("core.sock") }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ldoutbox")
        store = try SQLiteStore(path: directory.file("outbox.sqlite"))
        script = ScriptedCore()
        core = try FakeCoreServer(path: socketPath, handler: script.handler)
        gateway = CoreGateway(socketPath: socketPath, collection: "kb", dimension: 2)
    }

    override func tearDownWithError() throws {
        gateway.close()
        core?.stop()
        store = nil
        directory.remove()
    }

    private func delivery(generation: Int = 1) -> OutboxDelivery {
        var logger = Logger(label: "test.outbox")
        logger.logLevel = .critical
        return OutboxDelivery(store: store, core: gateway, generation: generation, logger: logger)
    }

    private func enqueue(_ operations: [CoreOperation]) throws {
        try store.write { try $0.enqueue(operations) }
    }

    private static func upsert(_ ids: [UInt64]) -> CoreOperation {
        .upsert(ids: ids, vectors: ids.flatMap { [Float($0), 1] }, groups: ids, tags: ids.map { _ in [] })
    }

    private static func feedback(generation: Int = 1, impression: UInt64 = 9, group: UInt64 = 7, outcome: UInt8 = FeedbackCode.resolved,
                                 instead: UInt64? = nil, csat: UInt8? = nil) -> CoreOperation {
        .feedback(generation: generation, impression: impression, group: group, outcome: outcome, groupUsedInstead: instead, csat: csat)
    }

    private func pending() throws -> [(sequence: Int64, attempts: Int)] {
        try store.pendingOperations(limit: 1000).map { ($0.sequence, $0.attempts) }
    }

    // MARK: Order

    func testQueuedChangesReachTheCoreInQueueOrderAndLeaveTheOutbox() async throws {
        try enqueue([Self.upsert([1, 2]), .delete(ids: [1]), Self.feedback()])
        try enqueue([Self.upsert([3])])
        let emptied = await delivery().flush()
        XCTAssertTrue(emptied)
        XCTAssertEqual(script.log, ["upsert [1, 2]", "delete [1]", "feedback 9/7", "upsert [3]"])
        XCTAssertEqual(try store.pendingOperationCount(), 0)
        let upsert = try XCTUnwrap(script.changes.first)
        guard case .upsert(let request) = upsert else { return XCTFail("\(upsert)") }
        XCTAssertEqual(request.collection, "kb")
        XCTAssertEqual(request.items, ItemBatch(dimension: 2, ids: [1, 2], vectors: [1, 1, 2, 1], groups: [1, 2], tags: [[], []]))
    }

    func testMoreThanOneBatchIsDeliveredInOneFlush() async throws {
        try enqueue((1...300).map { Self.upsert([UInt64($0)]) })
        let emptied = await delivery().flush()
        XCTAssertTrue(emptied)
        XCTAssertEqual(script.log, (1...300).map { "upsert [\($0)]" }, "256 a batch: the second batch follows the first")
    }

    func testChangesQueuedWhileAFlushRunsAreDeliveredByIt() async throws {
        try enqueue([Self.upsert([1])])
        let store = self.store!
        script.whenTheNextChangeArrives {
            do {
                try store.write { try $0.enqueue([.delete(ids: [1])]) }
            } catch {
                XCTFail("cannot queue while the flush runs: \(error)")
            }
        }
        let emptied = await delivery().flush()
        XCTAssertTrue(emptied)
        XCTAssertEqual(script.log, ["upsert [1]", "delete [1]"])
    }

    func testConcurrentFlushesDeliverEachChangeOnceInOrder() async throws {
        try enqueue((1...40).map { Self.upsert([UInt64($0)]) })
        let delivery = delivery()
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<5 { group.addTask { await delivery.flush() } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results, Array(repeating: true, count: 5))
        XCTAssertEqual(script.log, (1...40).map { "upsert [\($0)]" }, "flushes queue behind one another: nothing twice")
    }

    // MARK: Feedback

    func testFeedbackCodesBecomeTheirWireOutcomes() async throws {
        try enqueue([
            Self.feedback(outcome: FeedbackCode.resolved),
            Self.feedback(outcome: FeedbackCode.escalated),
            Self.feedback(outcome: FeedbackCode.corrected, instead: 12),
            Self.feedback(outcome: FeedbackCode.corrected),
            Self.feedback(outcome: FeedbackCode.csat, csat: 5),
            Self.feedback(outcome: FeedbackCode.csat),
            Self.feedback(outcome: FeedbackCode.reopened),
        ])
        await delivery().flush()
        let outcomes = script.changes.compactMap { request -> FeedbackOutcome? in
            if case .feedback(let feedback) = request { return feedback.outcome }
            return nil
        }
        XCTAssertEqual(outcomes, [.resolved, .escalated, .corrected(groupUsedInstead: 12), .corrected(groupUsedInstead: nil), .csat(5),
                                  .csat(3), .reopened], "a CSAT without a score is sent as the neutral 3")
    }

    func testFeedbackOnAnImpressionOfAnEarlierGenerationIsDroppedUnsent() async throws {
        try enqueue([Self.feedback(generation: 1, impression: 5), Self.feedback(generation: 2, impression: 6),
                     Self.feedback(generation: 2, impression: 0), Self.upsert([4])])
        let delivery = delivery(generation: 2)
        let emptied = await delivery.flush()
        XCTAssertTrue(emptied)
        XCTAssertEqual(script.log, ["feedback 6/7", "upsert [4]"],
                       "the collection was rebuilt since generation 1, and impression 0 was never shown: neither is sent")
        XCTAssertEqual(try store.pendingOperationCount(), 0, "nor kept")

        try enqueue([Self.feedback(generation: 2, impression: 8), Self.feedback(generation: 3, impression: 9)])
        await delivery.setGeneration(3)
        await delivery.flush()
        XCTAssertEqual(Array(script.log.suffix(1)), ["feedback 9/7"], "after a rebuild the current generation is the new one")
    }

    // MARK: A core away or refusing

    func testWhileTheCoreIsAwayNothingIsLostOrCountedAsAFailure() async throws {
        core?.stop()
        core = nil
        try enqueue([Self.upsert([1]), Self.feedback()])
        let delivery = delivery()
        let emptied = await delivery.flush()
        XCTAssertFalse(emptied)
        XCTAssertEqual(try pending().map(\.attempts), [0, 0], "an unreachable core is no attempt of the operation")

        core = try FakeCoreServer(path: socketPath, handler: script.handler)
        let emptiedNow = await delivery.flush()
        XCTAssertTrue(emptiedNow)
        XCTAssertEqual(script.log, ["upsert [1]", "feedback 9/7"])
        XCTAssertEqual(try store.pendingOperationCount(), 0)
    }

    func testARetryableRefusalIsCountedAndHoldsBackEverythingAfterIt() async throws {
        for code in [ErrorCode.busy, .storageFailure, .internal, .resourceExhausted] {
            script = ScriptedCore()
            core?.stop()
            gateway.close()
            core = try FakeCoreServer(path: socketPath, handler: script.handler)
            try enqueue([Self.upsert([1]), Self.upsert([2]), Self.upsert([3])])
            script.answerNext([nil, code])
            let delivery = delivery()
            let emptied = await delivery.flush()
            XCTAssertFalse(emptied, code.name)
            XCTAssertEqual(script.log, ["upsert [1]", "upsert [2]"], "\(code.name): the third waits behind the second")
            XCTAssertEqual(try pending().map(\.attempts), [1, 0], "\(code.name): the refused one counts an attempt and stays first")

            let emptiedNow = await delivery.flush()
            XCTAssertTrue(emptiedNow, code.name)
            XCTAssertEqual(script.log, ["upsert [1]", "upsert [2]", "upsert [2]", "upsert [3]"],
                           "\(code.name): at least once: the refused change is sent again, then the rest in order")
            XCTAssertEqual(try store.pendingOperationCount(), 0)
        }
    }

    func testACoreShuttingDownIsTreatedAsAwayNotAsARefusal() async throws {
        try enqueue([Self.upsert([1]), Self.upsert([2])])
        script.answerNext([.shuttingDown])
        let delivery = delivery()
        let emptied = await delivery.flush()
        XCTAssertFalse(emptied)
        XCTAssertEqual(try pending().map(\.attempts), [0, 0])
        let emptiedNow = await delivery.flush()
        XCTAssertTrue(emptiedNow, "the gateway reconnects by itself")
        XCTAssertEqual(script.log, ["upsert [1]", "upsert [1]", "upsert [2]"])
    }

    func testAPermanentRefusalIsDroppedSoLaterChangesAreNotHeldBack() async throws {
        let permanent: [ErrorCode] = [.unknownImpression, .impressionExpired, .groupNotInImpression, .outcomeAlreadyRecorded,
                                      .invalidOutcome, .invalidArgument, .wrongDimension]
        try enqueue(permanent.indices.map { Self.feedback(impression: UInt64($0 + 1)) } + [Self.upsert([5])])
        script.answerNext(permanent)
        let emptied = await delivery().flush()
        XCTAssertTrue(emptied)
        XCTAssertEqual(script.log, permanent.indices.map { "feedback \($0 + 1)/7" } + ["upsert [5]"], "each sent once, none retried")
        XCTAssertEqual(try store.pendingOperationCount(), 0)
    }

    func testOnlyTransientCodesAreRetryable() {
        let retryable: Set<ErrorCode> = [.busy, .shuttingDown, .storageFailure, .internal, .resourceExhausted]
        for raw in UInt16(0)...UInt16(100) {
            let code = ErrorCode(rawValue: raw)
            XCTAssertEqual(OutboxDelivery.isRetryable(code), retryable.contains(code), code.name)
        }
    }

    // MARK: The real core

    func testUpsertDeleteUpsertOfOneIDLeavesTheRealCoreWithTheLastVector() async throws {
        core?.stop()
        core = nil
        let running = try RunningCore(socketPath: socketPath, dataPath: directory.file("core"))
        defer { running.stop() }
        try enqueue([.upsert(ids: [5], vectors: [1, 0], groups: [5], tags: [["topic:a"]]), .delete(ids: [5]),
                     .upsert(ids: [5, 6], vectors: [0, 1, 1, 1], groups: [5, 6], tags: [[], []])])
        let emptied = await delivery().flush()
        XCTAssertTrue(emptied)
        let client = try await LoopdeskClient.connect(socketPath: socketPath)
        defer { client.close() }
        let stored = try await client.get(collection: "kb", ids: [5, 6])
        XCTAssertEqual(stored.ids, [5, 6])
        XCTAssertEqual(Array(stored.vectors[0..<2]), [0, 1], "the second upsert came last")
        XCTAssertEqual(stored.groups, [5, 6])
    }
}

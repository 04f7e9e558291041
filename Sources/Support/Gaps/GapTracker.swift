import Foundation
import Logging
import Primitives
import Wire

/// Knows what the service does not know: clusters unanswered and wrongly
/// answered questions into knowledge gaps, and defect reports into bug
/// clusters, online (docs/ARCHITECTURE.md, "The learning loop", step 4).
///
/// A question joins the nearest open cluster of its kind whose centroid is
/// within ``GapConfiguration/radius`` (cosine distance), found by a SEARCH in
/// the core's gap collection (``GapConfiguration/collection``: one vector per
/// open cluster, id = cluster id, tag `kind:gap` or `kind:bug`), or opens a new
/// one. The centroid is the running mean of its questions, so a burst of
/// differently worded questions converges on the topic instead of splitting;
/// two open clusters whose centroids come within the radius merge. The store
/// (``GapStore``) is the source of truth; the core collection is an index that
/// is rebuilt from it on first use, and a store scan stands in while the core
/// is down.
///
/// Clustering runs one question at a time (a serial queue), so two concurrent
/// questions on a new topic cannot open two gaps.
///
/// Questions in are here; the threshold events, articles closing gaps, reading and
/// the core's gap collection are in `GapTracker-events`, `-articles`, `-reading` and `-index`.
public final class GapTracker: Sendable {
    /// Where the clusters live: the source of truth the core's gap collection is rebuilt from.
    public let store: any GapStore
    /// Radius, thresholds, webhooks.
    public let configuration: GapConfiguration
    let articles: any SupportStore
    let index: CoreGateway
    let knowledgeBase: CoreGateway
    let clock: any SupportClock
    let logger: Logger
    let serial = SerialRunner()
    let webhooks: WebhookSender
    /// Where bug clusters become issues.
    let trackers: IssueTrackers
    /// Whether the core's gap collection matches the store (set once rebuilt, cleared on a failed write).
    let synced = Locked(false)
    /// The titles' background corpus, built on first use and dropped when articles change.
    let titler = Locked<GapTitler?>(nil)

    /// - Parameters:
    ///   - store: where clusters live.
    ///   - articles: the knowledge base (titles' background corpus).
    ///   - knowledgeBase: the service's gateway (re-scoring with SEARCH on its collection).
    ///   - configuration: radius, thresholds, webhooks.
    ///   - clock: the service's clock (question times, trends, webhook retries).
    ///   - helpdesks: where comments are written back; their outbox rows are delivered beside the webhooks.
    ///   - trackers: where bug clusters become issues (Linear, Jira).
    ///   - logger: where clustering and delivery failures go.
    public init(store: any GapStore, articles: any SupportStore, knowledgeBase: CoreGateway, configuration: GapConfiguration,
                helpdesks: HelpdeskAccounts = HelpdeskAccounts(), trackers: IssueTrackers = IssueTrackers(), clock: any SupportClock,
                logger: Logger) {
        self.trackers = trackers
        self.store = store
        self.articles = articles
        self.knowledgeBase = knowledgeBase
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        index = CoreGateway(socketPath: knowledgeBase.socketPath, collection: configuration.collection,
                            dimension: knowledgeBase.dimension)
        webhooks = WebhookSender(store: store, configuration: configuration, helpdesks: helpdesks, trackers: trackers,
                                 references: articles, clock: clock, logger: logger)
    }

    // MARK: Questions in

    /// Whether an asked question is a knowledge gap: escalated, and nothing in the
    /// knowledge base is near it (best similarity under ``GapConfiguration/coveredSimilarity``).
    /// An escalation of a covered question is the policy's caution, not missing knowledge.
    public func isGap(decision: Decision, bestSimilarity: Double?) -> Bool {
        decision == .escalate && (bestSimilarity ?? 0) < configuration.coveredSimilarity
    }

    /// Clusters an asked question when it is a defect report (a bug cluster) or a
    /// knowledge gap (``isGap(decision:bestSimilarity:)``).
    /// - Returns: the cluster it joined, or nil when it is neither.
    @discardableResult
    public func noteAsked(_ answer: AnswerRecord, bestSimilarity: Double?, context: [String: String]) async throws -> GapRecord? {
        guard configuration.enabled, !answer.vector.isEmpty else { return nil }
        let kind: GapKind
        if DefectDetector.isDefect(answer.question, context: context, lexical: configuration.detectDefects) {
            kind = .bug
        } else if isGap(decision: answer.decision, bestSimilarity: bestSimilarity) {
            kind = .gap
        } else {
            return nil
        }
        return try await observe(question: answer.question, vector: answer.vector, confidence: answer.score,
                                 answerKey: answer.key, kind: kind, at: answer.createdAt)
    }

    /// Clusters a question whose answer an outcome proved wrong (escalated after
    /// answering, or reopened) as a knowledge gap, or as a bug when it reports one.
    @discardableResult
    public func noteWrongAnswer(_ answer: AnswerRecord) async throws -> GapRecord? {
        guard configuration.enabled, !answer.vector.isEmpty, answer.decision == .answer else { return nil }
        let kind: GapKind = DefectDetector.isDefect(answer.question, lexical: configuration.detectDefects) ? .bug : .gap
        return try await observe(question: answer.question, vector: answer.vector, confidence: answer.score,
                                 answerKey: answer.key, kind: kind, at: clock.now)
    }

    /// Adds one question to the nearest open cluster of `kind` within the radius, or opens one.
    /// - Returns: the cluster it is in afterwards (after any merge).
    @discardableResult
    public func observe(question: String, vector: [Float], confidence: Double, answerKey: Int64?, kind: GapKind,
                        at: Date) async throws -> GapRecord {
        let result = try await serial.run { [self] in
            try await observeSerially(question: question, vector: vector, confidence: confidence, answerKey: answerKey,
                                      kind: kind, at: at)
        }
        if result.1 {
            // Not awaited: a slow receiver must not hold up the question that crossed the threshold.
            let webhooks = self.webhooks
            Task { await webhooks.deliverDue() }
        }
        return result.0
    }

    func observeSerially(question: String, vector: [Float], confidence: Double, answerKey: Int64?, kind: GapKind,
                                 at: Date) async throws -> (GapRecord, Bool) {
        await syncIndexIfNeeded()
        let unit = GapMath.normalized(vector)
        var target: GapRecord?
        if let (nearest, distance) = try await nearestOpen(to: unit, kind: kind, excluding: nil),
           distance <= GapMath.joinRadius(configuration.radius, count: nearest.count) {
            target = nearest
        }
        var gap = try store.gapWrite { w -> GapRecord in
            var gap: GapRecord
            if var joined = target {
                joined.centroid = GapMath.adding(unit, to: joined.centroid, count: joined.count)
                joined.count += 1
                joined.lastSeen = max(joined.lastSeen, at)
                joined.firstSeen = min(joined.firstSeen, at)
                joined.confidenceSum += confidence
                try w.updateGap(joined)
                gap = joined
            } else {
                gap = GapRecord(kind: kind, count: 1, firstSeen: at, lastSeen: at, centroid: unit, confidenceSum: confidence)
                gap.id = try w.insertGap(gap)
            }
            try w.insertGapQuestion(GapQuestionRecord(gapID: gap.id, answerKey: answerKey, question: question, vector: unit,
                                                      confidence: confidence, at: at))
            return gap
        }
        await indexUpsert(gap)
        gap = try await mergeNearby(gap)
        let eventWritten = try writeEventIfDue(&gap)
        return (gap, eventWritten)
    }

    /// Merges into `gap` (or `gap` into) every open cluster of its kind within the radius of its centroid.
    func mergeNearby(_ start: GapRecord) async throws -> GapRecord {
        var gap = start
        for _ in 0..<8 {
            guard let (other, distance) = try await nearestOpen(to: gap.centroid, kind: gap.kind, excluding: gap.id),
                  distance <= configuration.radius else { break }
            var (big, small) = gap.count >= other.count ? (gap, other) : (other, gap)
            big.centroid = GapMath.merged(big.centroid, count: big.count, small.centroid, count: small.count)
            big.count += small.count
            big.confidenceSum += small.confidenceSum
            big.firstSeen = min(big.firstSeen, small.firstSeen)
            big.lastSeen = max(big.lastSeen, small.lastSeen)
            if let notified = small.notifiedAt { big.notifiedAt = min(big.notifiedAt ?? notified, notified) }
            small.status = .closed
            small.closedAt = clock.now
            small.closedReason = "merged"
            small.mergedInto = big.id
            let (survivor, absorbed) = (big, small)
            try store.gapWrite { w in
                try w.moveGapQuestions(from: absorbed.id, into: survivor.id)
                try w.updateGap(absorbed)
                try w.updateGap(survivor)
            }
            logger.debug("gap \(absorbed.id) merged into \(survivor.id) (centroids \(distance) apart)")
            await indexDelete([absorbed.id])
            await indexUpsert(survivor)
            gap = survivor
        }
        return gap
    }

    // MARK: Webhooks

    /// Delivers due webhook events now. - Returns: how many were delivered.
    @discardableResult
    public func deliverWebhooks() async -> Int { await webhooks.deliverDue() }

    /// Stops the webhook retry timer.
    public func close() async {
        await webhooks.stop()
        index.close()
    }
}

/// Runs async bodies one at a time, in call order.
actor SerialRunner {
    private var tail: Task<Void, Never>?

    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task { () async throws -> T in
            _ = await previous?.value
            return try await body()
        }
        tail = Task { _ = await task.result }   // only the order; the caller gets the error
        return try await task.value
    }
}

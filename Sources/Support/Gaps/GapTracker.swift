import Foundation
import Logging
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
    private let synced = Locked(false)
    private let titler = Locked<GapTitler?>(nil)

    /// - Parameters:
    ///   - store: where clusters live.
    ///   - articles: the knowledge base (titles' background corpus).
    ///   - knowledgeBase: the service's gateway (re-scoring with SEARCH on its collection).
    ///   - configuration: radius, thresholds, webhooks.
    public init(store: any GapStore, articles: any SupportStore, knowledgeBase: CoreGateway, configuration: GapConfiguration,
                clock: any SupportClock, logger: Logger) {
        self.store = store
        self.articles = articles
        self.knowledgeBase = knowledgeBase
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        index = CoreGateway(socketPath: knowledgeBase.socketPath, collection: configuration.collection,
                            dimension: knowledgeBase.dimension)
        webhooks = WebhookSender(store: store, configuration: configuration, clock: clock, logger: logger)
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

    private func observeSerially(question: String, vector: [Float], confidence: Double, answerKey: Int64?, kind: GapKind,
                                 at: Date) async throws -> (GapRecord, Bool) {
        await syncIndexIfNeeded()
        let unit = GapMath.normalized(vector)
        var target: GapRecord?
        if let (nearest, distance) = try await nearestOpen(to: unit, kind: kind, excluding: nil), distance <= configuration.radius {
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
    private func mergeNearby(_ start: GapRecord) async throws -> GapRecord {
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

    /// Writes the cluster's threshold event when it has just become due.
    /// - Returns: whether an event was written.
    private func writeEventIfDue(_ gap: inout GapRecord) throws -> Bool {
        guard gap.status == .open, gap.notifiedAt == nil else { return false }
        let now = clock.now
        let kindName: String
        let payload: Data
        let eventID = "\(gap.kind == .bug ? GapEvent.bugThreshold : GapEvent.gapThreshold).\(gap.id).\(Int(gap.firstSeen.timeIntervalSince1970))"
        switch gap.kind {
        case .gap:
            guard gap.count >= configuration.gapEventThreshold else { return false }
            kindName = GapEvent.gapThreshold
            payload = try Gap.jsonEncoder().encode(GapEvent.GapPayload(eventID: eventID, event: kindName, gap: try view(gap)))
        case .bug:
            guard gap.count >= configuration.bugEventThreshold else { return false }
            let inWindow = try store.gapQuestionTimes(gapID: gap.id, since: now.addingTimeInterval(-configuration.bugWindow)).count
            guard inWindow >= configuration.bugEventThreshold else { return false }
            kindName = GapEvent.bugThreshold
            payload = try Gap.jsonEncoder().encode(bugPayload(gap, eventID: eventID, windowCount: inWindow))
        }
        gap.notifiedAt = now
        let notified = gap
        try store.gapWrite { w in
            _ = try w.enqueueWebhook(WebhookDelivery(eventID: eventID, kind: kindName, gapID: notified.id, payload: payload,
                                                     nextAttemptAt: now, createdAt: now))
            try w.updateGap(notified)
        }
        logger.info("\(kindName): cluster \(gap.id) has \(gap.count) questions (event \(eventID))")
        return true
    }

    private func bugPayload(_ gap: GapRecord, eventID: String, windowCount: Int) throws -> GapEvent.BugPayload {
        let view = try view(gap)
        let hours = Int((configuration.bugWindow / 3600).rounded())
        let examples = view.questions.prefix(5)
        let description = "\(windowCount) customer questions in the last \(hours) h (\(gap.count) in all) describe what looks "
            + "like one defect. Loopdesk clustered them by meaning; mean answer confidence \(NumberText.probability(view.confidence)).\n\n"
            + examples.map { "- \($0)" }.joined(separator: "\n")
        return GapEvent.BugPayload(eventID: eventID, event: GapEvent.bugThreshold, title: "Bug reports: \(view.title)",
                                   description: description, count: gap.count, windowCount: windowCount,
                                   examples: Array(examples), firstSeen: gap.firstSeen, lastSeen: gap.lastSeen,
                                   clusterID: gap.id, labels: ["bug", "loopdesk"])
    }

    // MARK: Articles in

    /// Re-scores the open knowledge gaps near changed articles and closes those
    /// whose questions the knowledge base now covers: at least
    /// ``GapConfiguration/closeFraction`` of their questions (the newest 50) are
    /// covered (see `coveredCount`), checked with one SEARCH in the knowledge-base
    /// collection (no RANK: nothing is logged as an impression).
    /// - Parameter changed: the articles' ids and vectors.
    /// - Returns: the ids of the gaps closed.
    @discardableResult
    public func articlesChanged(_ changed: [(id: String, vector: [Float])]) async throws -> [Int64] {
        titler.withLock { $0 = nil }
        guard configuration.enabled, !changed.isEmpty else { return [] }
        return try await serial.run { [self] in
            await syncIndexIfNeeded()
            var candidates: [Int64: GapRecord] = [:]
            for article in changed {
                for gap in try await nearestOpenList(to: GapMath.normalized(article.vector), kind: .gap, k: 16) {
                    candidates[gap.id] = gap
                }
            }
            var closed: [Int64] = []
            for gap in candidates.values.sorted(by: { $0.id < $1.id }) {
                let questions = try store.gapQuestions(gapID: gap.id, limit: 50)
                guard !questions.isEmpty else { continue }
                let covered = try await coveredCount(questions, changed: changed)
                guard Double(covered) >= configuration.closeFraction * Double(questions.count) else { continue }
                var done = gap
                done.status = .closed
                done.closedAt = clock.now
                let ids = changed.map(\.id).prefix(3).joined(separator: ",")
                done.closedReason = "article:\(ids) covers \(covered)/\(questions.count)"
                try store.gapWrite { w in try w.updateGap(done) }
                await indexDelete([gap.id])
                logger.info("gap \(gap.id) closed: \(done.closedReason ?? "")")
                closed.append(gap.id)
            }
            return closed
        }
    }

    /// How many of a gap's questions the knowledge base now covers: some article or alias
    /// at ``GapConfiguration/coveredSimilarity``, or a changed article that is the
    /// question's nearest knowledge-base vector (what RANK would put first) at
    /// ``GapConfiguration/closeSimilarity`` or more. Without the core, only the first test
    /// against the changed articles' own vectors.
    private func coveredCount(_ questions: [GapQuestionRecord], changed: [(id: String, vector: [Float])]) async throws -> Int {
        let direct = questions.map { q in changed.map { GapMath.similarity(q.vector, $0.vector) }.max() ?? 0 }
        let dimension = knowledgeBase.dimension
        var nearest: [Double]?
        if questions.allSatisfy({ $0.vector.count == dimension }), let results = try? await knowledgeBase.run({ client in
            try await client.search(collection: knowledgeBase.collection, dimension: dimension,
                                    queries: questions.flatMap(\.vector), k: 1)
        }), results.count == questions.count {
            nearest = results.map { 1 - Double($0.distances.first ?? 1) }
        }
        return questions.indices.filter { i in
            if direct[i] >= configuration.coveredSimilarity { return true }
            guard let nearest else { return false }
            return nearest[i] >= configuration.coveredSimilarity
                || (direct[i] >= configuration.closeSimilarity && direct[i] >= nearest[i] - 1e-4)
        }.count
    }

    // MARK: Reading

    /// Open clusters of a kind as the API shows them, largest first.
    public func openGaps(kind: GapKind = .gap, limit: Int = 50) throws -> [Gap] {
        try store.gaps(kind: kind, status: .open, limit: limit).map(view)
    }

    /// A stored cluster as the API shows it: title, newest questions, four-week trend.
    public func view(_ gap: GapRecord) throws -> Gap {
        let questions = try store.gapQuestions(gapID: gap.id, limit: max(configuration.questionsShown, 30))
        let now = clock.now
        let weeks = Self.isoWeeks(endingAt: now, count: 4)
        let times = try store.gapQuestionTimes(gapID: gap.id, since: weeks.first?.start ?? now)
        let trend = weeks.map { week in GapWeek(week: week.name, count: times.filter { $0 >= week.start && $0 < week.end }.count) }
        let title = try currentTitler().title(for: questions.map(\.question))
        return Gap(id: gap.id, kind: gap.kind, status: gap.status, title: title, count: gap.count,
                   questions: questions.prefix(configuration.questionsShown).map(\.question), firstSeen: gap.firstSeen,
                   lastSeen: gap.lastSeen, trend: trend, confidence: gap.count > 0 ? gap.confidenceSum / Double(gap.count) : 0)
    }

    /// The last `count` ISO weeks up to and including `date`'s, oldest first.
    static func isoWeeks(endingAt date: Date, count: Int) -> [(name: String, start: Date, end: Date)] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let current = calendar.dateInterval(of: .weekOfYear, for: date) else { return [] }
        return (0..<count).reversed().compactMap { back -> (String, Date, Date)? in
            guard let start = calendar.date(byAdding: .weekOfYear, value: -back, to: current.start) else { return nil }
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: start)
            let name = String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
            return (name, start, calendar.date(byAdding: .weekOfYear, value: 1, to: start) ?? start)
        }
    }

    private func currentTitler() throws -> GapTitler {
        if let cached = titler.withLock({ $0 }) { return cached }
        var texts: [String] = []
        var offset = 0
        while true {
            let page = try articles.listArticles(limit: 500, offset: offset, includeArchived: false)
            if page.isEmpty { break }
            texts += page.map { $0.title + "\n" + $0.body }
            offset += page.count
        }
        texts += try articles.recentAnswers(limit: 2000).map(\.question)
        let built = GapTitler(background: texts)
        titler.withLock { $0 = built }
        return built
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

    // MARK: The core's gap collection

    static func tag(_ kind: GapKind) -> String { "kind:\(kind.rawValue)" }

    /// The nearest open cluster of `kind`, from the core's index (checked against the
    /// store, which is the truth), or by scanning the store while the core is down.
    private func nearestOpen(to vector: [Float], kind: GapKind, excluding: Int64?) async throws -> (GapRecord, Double)? {
        let list = try await nearestOpenList(to: vector, kind: kind, k: excluding == nil ? 4 : 5)
        return list.filter { $0.id != excluding }
            .map { ($0, GapMath.distance(vector, $0.centroid)) }
            .min { $0.1 < $1.1 }
    }

    private func nearestOpenList(to vector: [Float], kind: GapKind, k: Int) async throws -> [GapRecord] {
        let collection = configuration.collection
        do {
            let result = try await index.run { client in
                try await client.search(collection: collection, query: vector, k: k, filter: TagFilter(allOf: [Self.tag(kind)]))
            }
            var found: [GapRecord] = []
            var stale: [UInt64] = []
            for id in result.ids {
                if let gap = try store.gap(id: Int64(id)), gap.status == .open, gap.kind == kind { found.append(gap) } else { stale.append(id) }
            }
            if !stale.isEmpty { await indexDelete(stale.map { Int64($0) }) }
            return found
        } catch let error as SupportError {
            guard case .coreUnavailable = error else { throw error }
            synced.withLock { $0 = false }
            return try store.gaps(kind: kind, status: .open, limit: 10_000)
                .sorted { GapMath.distance(vector, $0.centroid) < GapMath.distance(vector, $1.centroid) }
                .prefix(k).map { $0 }
        }
    }

    /// On first use (and after the core was unreachable), upserts every open cluster's centroid.
    private func syncIndexIfNeeded() async {
        guard !synced.withLock({ $0 }) else { return }
        do {
            var open: [GapRecord] = []
            for kind in GapKind.allCases { open += try store.gaps(kind: kind, status: .open, limit: 100_000) }
            let dimension = index.dimension
            let usable = open.filter { $0.centroid.count == dimension }
            let collection = configuration.collection
            try await index.run { client in
                for start in stride(from: 0, to: usable.count, by: 512) {
                    let page = Array(usable[start..<min(start + 512, usable.count)])
                    _ = try await client.upsert(collection: collection, items: Self.items(page, dimension: dimension))
                }
            }
            synced.withLock { $0 = true }
        } catch {
            logger.warning("gap index not synced with the core yet: \(error)")
        }
    }

    static func items(_ gaps: [GapRecord], dimension: Int) -> ItemBatch {
        ItemBatch(dimension: dimension, ids: gaps.map { UInt64($0.id) }, vectors: gaps.flatMap { GapMath.normalized($0.centroid) },
                  groups: gaps.map { UInt64($0.id) }, tags: gaps.map { [tag($0.kind)] })
    }

    private func indexUpsert(_ gap: GapRecord) async {
        let collection = configuration.collection, dimension = index.dimension
        guard gap.centroid.count == dimension else { return }
        do {
            try await index.run { client in _ = try await client.upsert(collection: collection, items: Self.items([gap], dimension: dimension)) }
        } catch {
            synced.withLock { $0 = false }
            logger.warning("gap \(gap.id) not indexed in the core yet: \(error)")
        }
    }

    private func indexDelete(_ ids: [Int64]) async {
        let collection = configuration.collection
        do {
            try await index.run { client in _ = try await client.delete(collection: collection, ids: ids.map { UInt64($0) }) }
        } catch {
            synced.withLock { $0 = false }
            logger.warning("gaps \(ids) not removed from the core index yet: \(error)")
        }
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
        tail = Task { _ = try? await task.value }
        return try await task.value
    }
}

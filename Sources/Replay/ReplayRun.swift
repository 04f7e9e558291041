import Foundation
import Logging
import Support

/// One run of the stream through one service — the learning run or the
/// baseline — and everything it records as it goes. ``ReplayRunner`` makes one
/// per run, on a fresh core and database, and drives it through ``replay()``.
///
/// A simulated day: the outcomes due that day arrive, the articles released that
/// day are published, then the day's tickets are asked one by one, spread over
/// the day on the simulated clock; each answer's simulated outcomes are
/// delivered at once or queued for a later day.
struct ReplayRun {
    /// A pending outcome: the answer it is about and the event.
    struct PendingEvent {
        var impressionID: String
        var ticket: PlannedTicket
        var event: SimulatedEvent
    }

    let service: SupportService
    let clock: SimulatedClock
    let plan: ReplayPlan
    /// Every ticket's vector, in stream order (embedded once for both runs).
    let vectors: [[Float]]
    let phase: ReplayProgress.Phase
    let options: ReplayOptions
    let logger: Logger
    let progress: (@Sendable (ReplayProgress) -> Void)?

    /// Which articles answer which label now, as the simulated world sees it.
    var knowledge = KnowledgeState()
    var simulator: OutcomeSimulator
    var records: [ReplayRecord] = []
    /// Articles that entered the knowledge base after the initial ones: id → the day they arrived.
    var articleArrivals: [String: Int] = [:]
    /// Outcomes waiting for their day.
    var pending: [Int: [PendingEvent]] = [:]
    /// The ranker's weights at the end of each week.
    var weights: [[String: Double]] = []
    /// Simulated outcomes the service refused.
    var rejected = 0
    /// For gap detection: when each ticket was asked, and which ticket each answer key belongs to.
    var askedAt: [Date] = []
    var positionByAnswerKey: [Int64: Int] = [:]

    init(service: SupportService, clock: SimulatedClock, plan: ReplayPlan, vectors: [[Float]], phase: ReplayProgress.Phase,
         writing: OutcomeSimulator.ArticleWriting, options: ReplayOptions, logger: Logger,
         progress: (@Sendable (ReplayProgress) -> Void)?) {
        self.service = service
        self.clock = clock
        self.plan = plan
        self.vectors = vectors
        self.phase = phase
        self.options = options
        self.logger = logger
        self.progress = progress
        simulator = OutcomeSimulator(seed: plan.seed, writing: writing, articleByLabel: plan.articleByLabel)
        simulator.solvedEvents = options.scenario.solvedEvents
        simulator.agentErrorRate = options.scenario.agentErrorRate
        simulator.csatNoiseRate = options.scenario.csatNoiseRate
        records.reserveCapacity(plan.tickets.count)
        askedAt.reserveCapacity(plan.tickets.count)
    }

    /// The whole stream: the initial articles, every day, the outcomes still due
    /// after the last day, and whatever the core outbox still holds.
    mutating func replay() async throws {
        try await publish(plan.initialArticles)
        articleArrivals = [:]
        let total = plan.tickets.count, step = max(1, total / 200)
        var next = 0
        for day in 0..<plan.days {
            var end = next
            while end < total && plan.tickets[end].day <= day { end += 1 }
            try await play(day: day, tickets: next..<end, progressStep: step)
            next = end
        }
        for day in pending.keys.sorted() {
            clock.set(options.startDate.addingTimeInterval(Double(day) * 86_400))
            for item in pending[day]! { await deliver(item) }
        }
        await service.deliverPending()
    }

    /// One simulated day: its due outcomes, its releases, then its tickets.
    mutating func play(day: Int, tickets positions: Range<Int>, progressStep step: Int) async throws {
        let dayStart = options.startDate.addingTimeInterval(Double(day) * 86_400)
        clock.set(dayStart)
        for item in pending.removeValue(forKey: day) ?? [] { await deliver(item) }
        try await publish(plan.releases.filter { $0.day == day && $0.publishesArticle && !knowledge.hasArticle(for: $0.label) }
            .map(\.article))
        for position in positions {
            clock.set(dayStart.addingTimeInterval((Double(position - positions.lowerBound) + 0.5) / Double(positions.count) * 86_400))
            try await ask(position: position, day: day)
            if (position + 1) % step == 0 || position + 1 == plan.tickets.count {
                progress?(ReplayProgress(phase: phase, done: position + 1, total: plan.tickets.count, day: day))
            }
        }
        if options.recordRankerWeights, day % 7 == 6 || day == plan.days - 1 {
            weights.append(await rankerWeights())
        }
    }

    /// Asks one ticket, records what happened, and delivers or queues its simulated outcomes.
    mutating func ask(position: Int, day: Int) async throws {
        let ticket = plan.tickets[position]
        let answerable = ticket.isInScope && knowledge.hasArticle(for: ticket.label)
        askedAt.append(clock.now)
        let response: AskResponse
        do {
            response = try await service.ask(AskRequest(text: ticket.text, conversationID: "replay-\(phase.rawValue)-\(ticket.index)",
                                                        context: ticket.context, vector: vectors[position]))
        } catch SupportError.emptyQuestion, SupportError.questionTooLong {
            records.append(ReplayRecord(index: ticket.index, day: day, label: ticket.label, inScope: ticket.isInScope,
                                        decision: .escalate, articleID: nil, right: false, answerable: answerable))
            return
        }
        let answeredID = response.decision == .answer ? response.article?.id : nil
        if let key = AnswerRecord.key(fromImpressionID: response.impressionID) { positionByAnswerKey[key] = position }
        records.append(ReplayRecord(
            index: ticket.index, day: day, label: ticket.label, inScope: ticket.isInScope, decision: response.decision,
            articleID: response.article?.id, right: knowledge.isRight(articleID: answeredID, label: ticket.label),
            score: response.score, lower: response.lower, threshold: response.threshold, answerable: answerable,
            candidateRight: knowledge.isRight(articleID: response.article?.id, label: ticket.label)))
        for event in simulator.events(for: ticket, decision: response.decision, answeredArticleID: answeredID,
                                      suggestedArticleID: response.decision == .escalate ? response.article?.id : nil,
                                      knowledge: knowledge) {
            let item = PendingEvent(impressionID: response.impressionID, ticket: ticket, event: event)
            if event.delayDays == 0 { await deliver(item) } else { pending[day + event.delayDays, default: []].append(item) }
        }
    }

    /// Publishes articles in the service and in the simulated world's knowledge.
    mutating func publish(_ articles: [ReplayArticle]) async throws {
        guard !articles.isEmpty else { return }
        try await service.upsertArticles(articles.map { ArticleInput(id: $0.id, title: $0.title, body: $0.body) })
        for article in articles {
            knowledge.add(articleID: article.id, label: article.label)
            articleArrivals[article.id] = simulatedDay
        }
    }

    /// The simulated day the clock is in.
    var simulatedDay: Int { Int((clock.now.timeIntervalSince(options.startDate) / 86_400).rounded(.down)) }

    /// Sends one simulated outcome; a refusal is counted (the first few logged), never fatal.
    mutating func deliver(_ item: PendingEvent) async {
        let e = item.event
        do {
            let response = try await service.recordOutcome(OutcomeRequest(
                impressionID: item.impressionID, outcome: e.outcome, csat: e.csat, agentReply: e.agentReply, articleID: e.articleID))
            if let label = e.writesArticleFor, let created = response.createdArticle {
                knowledge.add(articleID: created.id, label: label)
                articleArrivals[created.id] = simulatedDay
            }
        } catch {
            rejected += 1
            if rejected <= 5 {
                logger.warning("replay: the service refused \(e.outcome.rawValue) on ticket \(item.ticket.index) (\(item.ticket.label)): \(error)")
            }
        }
    }

    /// The run's knowledge gaps measured against the labels (``GapDetection``).
    func gapDetection() throws -> GapDetection {
        GapDetection(gaps: try Self.observedGaps(service.gaps.store), records: records, askedAt: askedAt,
                     ticketByAnswerKey: positionByAnswerKey, startDate: options.startDate, flagQuestions: options.gapFlagQuestions)
    }

    /// Every knowledge gap in `store`, open and closed, with its questions in arrival order
    /// (a merged gap's questions are its survivor's, so it comes out empty and is left out).
    static func observedGaps(_ store: any GapStore) throws -> [GapDetection.ObservedGap] {
        try store.gaps(kind: .gap, status: nil, limit: 10_000_000).compactMap { gap in
            let questions = try store.gapQuestions(gapID: gap.id, limit: max(gap.count, 1) + 10_000)
            guard !questions.isEmpty else { return nil }
            // The store lists the newest first.
            return GapDetection.ObservedGap(id: gap.id, questions: questions.reversed().map {
                GapDetection.ObservedGap.Question(answerKey: $0.answerKey, at: $0.at)
            })
        }.sorted { $0.id < $1.id }
    }

    /// The ranker's weights by feature name from the core's STATS; empty when the core does not report them.
    func rankerWeights() async -> [String: Double] {
        let collection = service.configuration.collection
        guard let json = try? await service.core.run({ client in try await client.stats(collection: collection) }),
              let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let collections = root["collections"] as? [String: Any],
              let entry = collections[collection] as? [String: Any],
              let ranking = entry["ranking"] as? [String: Any],
              let model = ranking["model"] as? [String: Any],
              let features = model["features"] as? [[String: Any]]
        else { return [:] }
        var weights: [String: Double] = [:]
        for feature in features {
            if let name = feature["name"] as? String, let weight = feature["weight"] as? Double { weights[name] = weight }
        }
        return weights
    }
}

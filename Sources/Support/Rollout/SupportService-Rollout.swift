import Foundation

/// What `loopdesk baseline import` stored, and how its tickets found their topics.
public struct BaselineImportSummary: Sendable, Equatable {
    /// Tickets counted.
    public var tickets = 0
    /// … whose tag (or category) named a known topic.
    public var mappedByTag = 0
    /// … placed under the topic of the article nearest their text.
    public var mappedByNearestArticle = 0
    /// … with neither (counted under ``SupportReports/noTopic``).
    public var withoutTopic = 0
    /// The baseline as stored.
    public var baseline: RolloutBaseline
}

/// The roll-out report (`GET /v1/reports/rollout`) and its baseline (`POST /v1/baseline`).
extension SupportService {
    /// Tickets embedded per batch when placing untagged baseline tickets by their nearest article.
    static let baselineEmbeddingBatch = 64

    /// The 30/60/90-day report as of `now` (default: the service's clock).
    ///
    /// Deployment is ``SupportConfiguration/deployedAt`` when set, else the first live answer;
    /// before either there is nothing to compare and the report has no checkpoints. Each
    /// checkpoint reached covers the 30 days ending on it (``RolloutReport/windows(deployedAt:now:)``),
    /// with each topic's mode at the window's end.
    public func rolloutReport(now: Date? = nil) throws -> RolloutReport {
        let now = now ?? clock.now
        let deployed: (Date, RolloutReport.DeploymentSource)?
        if let configured = configuration.deployedAt {
            deployed = (configured, .configured)
        } else {
            deployed = try store.firstLiveAnswerAt().map { ($0, .firstLiveAnswer) }
        }
        let baseline = try store.rolloutBaseline()
        guard let (deployedAt, source) = deployed else {
            return RolloutReport(deployedAt: nil, deployedAtSource: nil, generatedAt: now, baseline: baseline, checkpoints: [])
        }
        let changes = try store.topicModeChanges()
        let checkpoints = try RolloutReport.windows(deployedAt: deployedAt, now: now).map { window in
            try checkpoint(day: window.day, since: window.since, until: window.until, changes: changes)
        }
        return RolloutReport(deployedAt: deployedAt, deployedAtSource: source, generatedAt: now, baseline: baseline,
                             checkpoints: checkpoints)
    }

    /// One checkpoint's figures from the store's tallies of its window.
    private func checkpoint(day: Int, since: Date, until: Date, changes: [TopicModeChange]) throws -> RolloutCheckpoint {
        let window = try windowFigures(since: since, until: until)
        let rows = window.topics.map { topic, tally, median in
            RolloutTopicFigures(topic: topic,
                                mode: RolloutReport.mode(of: topic, at: until, changes: changes, defaultMode: configuration.defaultMode),
                                tally: tally, medianResolutionSeconds: median)
        }
        let total = RolloutTopicFigures(topic: "total", mode: configuration.defaultMode,
                                        tally: window.topics.reduce(AnswerTally()) { $0 + $1.tally },
                                        medianResolutionSeconds: window.medianResolutionSeconds)
        return RolloutCheckpoint(day: day, since: since, until: until, topics: rows, total: total)
    }

    /// What the store says of `since ..< until`: each topic's tally and median resolution time, and
    /// the median over all topics (the one reading behind checkpoints and the history baseline).
    private func windowFigures(since: Date, until: Date) throws
        -> (topics: [(topic: String, tally: AnswerTally, medianResolutionSeconds: Double?)], medianResolutionSeconds: Double?) {
        let tallies = try store.topicTallies(since: since, until: until)
        let seconds = try store.resolutionSeconds(since: since, until: until)
        return (tallies.map { topic, tally in (topic, tally, RolloutReport.median(seconds[topic] ?? [])) },
                RolloutReport.median(seconds.values.flatMap { $0 }))
    }

    /// The service's own figures of `since ..< until` as a baseline: what the replay compares
    /// against (its learning-off run's first 30 days). First-reply times are not known (`nil`).
    public func historyBaseline(since: Date, until: Date, source: String) throws -> RolloutBaseline {
        let topics = try windowFigures(since: since, until: until).topics.map { topic, tally, median in
            BaselineTopic(topic: topic, tickets: tally.asked, solved: tally.resolved + tally.reopened, resolved: tally.resolved,
                          reopened: tally.reopened, csatCount: tally.csatCount, csatSatisfied: tally.csatSatisfied,
                          medianResolutionSeconds: median)
        }
        return RolloutBaseline(source: source, importedAt: clock.now, firstTicketAt: since, lastTicketAt: until, topics: topics)
    }

    /// Counts a pre-deployment export into the baseline and stores it, replacing any earlier one.
    ///
    /// Each ticket goes to the first of its tags that names a topic (an article's topic or a topic
    /// with a mode set; compared without case, a `topic:` prefix ignored); a ticket with none goes to the topic of the article
    /// nearest its subject and question, as a question would be ranked; with no article at all,
    /// to ``SupportReports/noTopic``.
    /// - Parameters:
    ///   - tickets: parsed by ``HelpdeskExportReader`` (the ``ImportedTicket/metrics`` carry the times).
    ///   - source: the helpdesk (`zendesk`, `freshdesk`, `intercom`, `csv`).
    /// - Throws: ``SupportError/tooLarge(_:)`` past ``BaselineBuilder/maxTickets``; ``SupportError/coreUnavailable(reason:retryAfter:)``
    ///   when untagged tickets need the core and it is down; the store's errors. Nothing is stored on a throw.
    public func importBaseline(_ tickets: [ImportedTicket], source: String) async throws -> BaselineImportSummary {
        guard tickets.count <= BaselineBuilder.maxTickets else {
            throw SupportError.tooLarge("a baseline counts at most \(BaselineBuilder.maxTickets) tickets; the export has \(tickets.count)")
        }
        var known: [String: String] = [:]
        for topic in try publishedTopics() { known[topic.lowercased()] = topic }
        for topic in topicModes.withLock({ Array($0.keys) }) where known[topic.lowercased()] == nil { known[topic.lowercased()] = topic }

        var builder = BaselineBuilder()
        var summary = BaselineImportSummary(baseline: RolloutBaseline(source: source, importedAt: clock.now, topics: []))
        var untagged: [ImportedTicket] = []
        for ticket in tickets {
            if let topic = ticket.tags.lazy.compactMap({ known[Self.topicName(ofTag: $0)] }).first {
                try builder.add(ticket, topic: topic)
                summary.mappedByTag += 1
            } else {
                untagged.append(ticket)
            }
        }
        for start in stride(from: 0, to: untagged.count, by: Self.baselineEmbeddingBatch) {
            let batch = Array(untagged[start..<min(start + Self.baselineEmbeddingBatch, untagged.count)])
            let topics = try await nearestTopics(batch.map { [$0.subject, $0.question].filter { !$0.isEmpty }.joined(separator: "\n") })
            for (ticket, topic) in zip(batch, topics) {
                if let topic {
                    try builder.add(ticket, topic: topic)
                    summary.mappedByNearestArticle += 1
                } else {
                    try builder.add(ticket, topic: SupportReports.noTopic)
                    summary.withoutTopic += 1
                }
            }
        }
        summary.tickets = builder.tickets
        summary.baseline = builder.baseline(source: source, importedAt: clock.now)
        let baseline = summary.baseline
        try store.write { w in try w.replaceRolloutBaseline(baseline) }
        logger.notice("baseline imported", metadata: ["source": "\(source)", "tickets": "\(summary.tickets)",
                                                      "topics": "\(baseline.topics.count)"])
        return summary
    }

    /// A ticket tag as a topic name to look up: lower case, without a `topic:` prefix (the
    /// articles' own convention, which some teams use on tickets too).
    static func topicName(ofTag tag: String) -> String {
        let lowered = tag.lowercased()
        return lowered.hasPrefix("topic:") ? String(lowered.dropFirst("topic:".count)) : lowered
    }

    /// The topic of the published article nearest each text (its vector's group in the core), or
    /// `nil` when nothing cited is near.
    private func nearestTopics(_ texts: [String]) async throws -> [String?] {
        let vectors = embedder.embed(texts)
        let collection = configuration.collection, directory = aliasDirectory
        var groups: [UInt64?] = []
        for vector in vectors {
            let group = try await core.run { client -> UInt64? in
                let hits = try await client.search(collection: collection, query: vector, k: 10)
                let vote = NeighbourVote(ids: hits.ids, distances: hits.distances, directory: directory)
                return vote.shares.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            }
            groups.append(group)
        }
        let articles = try store.articles(keys: groups.compactMap { $0.map(VectorIDs.articleKey(group:)) })
        return groups.map { group in
            group.flatMap { articles[VectorIDs.articleKey(group: $0)] }.flatMap { $0.status == .published ? $0.topic : nil }
        }
    }
}

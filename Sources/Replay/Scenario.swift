/// The world a replay simulates, all of it drawn from ``seed``.
///
/// The default is the steady state, so that runs are comparable: every article
/// is in the knowledge base on day 0, tickets arrive as the data set dates
/// them (or spread evenly in file order), every outcome is observed. The other
/// fields add the harder worlds; ``productUpdates(days:seed:)`` is the named preset.
public struct ReplayScenario: Sendable, Equatable {
    /// What holding a label back means for its questions.
    public enum HeldBackMode: String, Sendable, Equatable, CaseIterable {
        /// The label is a product launched on its release day: its questions
        /// start then (its tickets are re-spread over the days from its release
        /// to the end, in order) and no article exists for it; the agent writes
        /// one after ``ReplayScenario/agentWritesAfterEscalations`` escalations.
        case newProducts = "new-products"
        /// The label's questions arrive as dated; its article is published on
        /// its release day, unless an agent has written one before.
        case lateArticles = "late-articles"
    }

    /// Simulated days, day 0 to `days - 1`.
    public var days: Int = 90
    /// The seed of every random choice.
    public var seed: UInt64 = 1
    /// The fraction of labels whose article is in the KB on day 0 (`--initial-kb`);
    /// the others are held back and released on later days.
    public var initialKnowledgeFraction: Double = 1
    /// The days over which held-back labels are released, evenly; `nil`: day 1 to two thirds of the run.
    public var releaseDays: ClosedRange<Int>?
    /// What a release brings (see ``HeldBackMode``).
    public var heldBackMode: HeldBackMode = .newProducts
    /// The fraction of customers who never confirm (`--silence`): their tickets get no customer outcome.
    public var silenceRate: Double = 0
    /// The fraction of agents' corrections that name a wrong article (`--agent-error`): the
    /// wrong suggestion the service offered when there was one, else another article.
    public var agentErrorRate: Double = 0
    /// The fraction of customers whose rating says nothing (`--csat-noise`): their CSAT is drawn
    /// uniformly from 1–5 whatever happened.
    public var csatNoiseRate: Double = 0
    /// Vocabulary drift applied to ticket texts (`--drift`).
    public var drift: TermDrift?
    /// Each label's phrasings move during the run from those with its keyword to those
    /// without (`--paraphrase-drift`, ``ParaphraseDrift``).
    public var paraphraseDrift = false
    /// Escalations on a label without an article after which the agent writes it.
    public var agentWritesAfterEscalations = 3
    /// Whether an agent's resolution of an escalated question reaches the service as the
    /// helpdesk's "solved" (`--solved-events`): a `resolved` carrying the agent's public reply and
    /// no article id, instead of a `corrected` naming the article (see ``OutcomeSimulator``).
    public var solvedEvents = false

    /// The steady state: 90 days, seed 1, every article on day 0, every customer confirming, no drift.
    public init() {}

    /// The `product-updates` preset: 20 % of the labels held back as new
    /// products released from day 30 (spread to two thirds of the run).
    public static func productUpdates(days: Int = 90, seed: UInt64 = 1) -> ReplayScenario {
        var scenario = ReplayScenario()
        scenario.days = days
        scenario.seed = seed
        scenario.initialKnowledgeFraction = 0.8
        let first = min(30, max(days - 1, 0))
        scenario.releaseDays = first...max(first, days * 2 / 3)
        return scenario
    }

    /// The release window in force.
    public var effectiveReleaseDays: ClosedRange<Int> {
        if let releaseDays { return releaseDays }
        let first = min(1, max(days - 1, 0))
        return first...max(first, days * 2 / 3)
    }

    /// Checks ranges.
    /// - Throws: ``ReplayError/invalidOption(_:)`` naming the value.
    public func validate() throws {
        guard days >= 1 else { throw ReplayError.invalidOption("days must be at least 1, not \(days)") }
        guard (0...1).contains(initialKnowledgeFraction) else {
            throw ReplayError.invalidOption("--initial-kb must be a fraction in 0…1, not \(initialKnowledgeFraction)")
        }
        guard (0...1).contains(agentErrorRate) else {
            throw ReplayError.invalidOption("--agent-error must be a rate in 0…1, not \(agentErrorRate)")
        }
        guard (0...1).contains(csatNoiseRate) else {
            throw ReplayError.invalidOption("--csat-noise must be a rate in 0…1, not \(csatNoiseRate)")
        }
        guard (0...1).contains(silenceRate) else {
            throw ReplayError.invalidOption("--silence must be a rate in 0…1, not \(silenceRate)")
        }
        let window = effectiveReleaseDays
        guard window.lowerBound >= 0, window.upperBound < days else {
            throw ReplayError.invalidOption("release days \(window) must lie within the run's days 0…\(days - 1)")
        }
        guard agentWritesAfterEscalations >= 1 else {
            throw ReplayError.invalidOption("agent must write after at least 1 escalation, not \(agentWritesAfterEscalations)")
        }
        if let drift, drift.startDay < 0 {
            throw ReplayError.invalidOption("the drift day must not be negative, not \(drift.startDay)")
        }
    }

    /// Which labels are held back, and when each is released: a seeded choice of
    /// `round(labels × (1 − initialKnowledgeFraction))` article labels, released
    /// evenly over ``effectiveReleaseDays`` in the drawn order.
    /// - Parameter labels: the article labels, in data set order.
    /// - Returns: label → release day; empty in the steady state.
    public func releaseSchedule(labels: [String]) -> [String: Int] {
        let heldBack = Int((Double(labels.count) * (1 - initialKnowledgeFraction)).rounded())
        guard heldBack > 0 else { return [:] }
        var random = SeededGenerator(seed: seed, stream: RandomStream.heldBack, index: 0)
        var drawn = labels
        random.shuffle(&drawn)
        let window = effectiveReleaseDays
        let span = window.upperBound - window.lowerBound
        var schedule: [String: Int] = [:]
        for (i, label) in drawn.prefix(heldBack).enumerated() {
            schedule[label] = window.lowerBound + (heldBack > 1 ? i * span / (heldBack - 1) : 0)
        }
        return schedule
    }

    /// Lays the data set out as the stream this scenario replays.
    /// - Throws: ``ReplayError/invalidOption(_:)`` when the scenario is out of range.
    public func plan(_ dataset: ReplayDataset) throws -> ReplayPlan {
        try validate()
        let articleByLabel = dataset.articleByLabel
        let labels = dataset.articles.map(\.label).reduce(into: [String]()) { seen, label in
            if label != ReplayDataset.outOfScopeLabel, !seen.contains(label) { seen.append(label) }
        }
        let schedule = releaseSchedule(labels: labels)
        var arrival = dataset.arrivalDays(days: days)
        if heldBackMode == .newProducts {
            for (i, ticket) in dataset.tickets.enumerated() {
                if let release = schedule[ticket.label] {
                    arrival[i] = release + arrival[i] * (days - release) / days
                }
            }
        }
        if paraphraseDrift {
            arrival = ParaphraseDrift.redeal(labels: dataset.tickets.map(\.label), texts: dataset.tickets.map(\.text),
                                             arrival: arrival, outOfScopeLabel: ReplayDataset.outOfScopeLabel)
        }
        let order = dataset.tickets.indices.sorted { (arrival[$0], $0) < (arrival[$1], $1) }
        var texts = order.map { dataset.tickets[$0].text }
        if let drift {
            let drifted = order.indices.filter { arrival[order[$0]] >= drift.startDay }
            for (position, text) in zip(drifted, drift.apply(to: drifted.map { texts[$0] })) { texts[position] = text }
        }
        let tickets = order.enumerated().map { position, source in
            let ticket = dataset.tickets[source]
            var random = SeededGenerator(seed: seed, stream: RandomStream.silence, index: UInt64(source))
            return PlannedTicket(index: position, sourceIndex: source, day: arrival[source], text: texts[position],
                                 label: ticket.label, context: ticket.context ?? [:], silent: random.chance(silenceRate))
        }
        let releases = schedule.map { label, day in
            LabelRelease(label: label, day: day, article: articleByLabel[label]!,
                         publishesArticle: heldBackMode == .lateArticles)
        }.sorted { ($0.day, $0.label) < ($1.day, $1.label) }
        let initial = labels.filter { schedule[$0] == nil }.map { articleByLabel[$0]! }
        return ReplayPlan(days: days, seed: seed, tickets: tickets, initialArticles: initial, releases: releases,
                          articleByLabel: articleByLabel, agentWritesAfterEscalations: agentWritesAfterEscalations)
    }
}

/// Names of the independent random streams of a run (see ``SeededGenerator/init(seed:stream:index:)``).
enum RandomStream {
    static let heldBack: UInt64 = 1
    static let silence: UInt64 = 2
    static let outcome: UInt64 = 3
    static let agentError: UInt64 = 4
    static let contextSplit: UInt64 = 5
    static let context: UInt64 = 6
    static let csatNoise: UInt64 = 7
}

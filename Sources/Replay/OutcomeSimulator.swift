import Support

/// One outcome event the simulated customer or agent reports on an answer.
public struct SimulatedEvent: Sendable, Equatable {
    /// Days after the question that it is reported (a reopen comes a day later).
    public var delayDays: Int
    /// What is reported.
    public var outcome: OutcomeKind
    /// 1–5 for `csat`.
    public var csat: Int?
    /// For `corrected`: the existing article the agent used.
    public var articleID: String?
    /// For `corrected`: the reply the agent wrote, which becomes an article.
    public var agentReply: String?
    /// The label whose missing article this agent reply writes.
    public var writesArticleFor: String?

    /// An event.
    public init(delayDays: Int = 0, outcome: OutcomeKind, csat: Int? = nil, articleID: String? = nil,
                agentReply: String? = nil, writesArticleFor: String? = nil) {
        self.delayDays = delayDays
        self.outcome = outcome
        self.csat = csat
        self.articleID = articleID
        self.agentReply = agentReply
        self.writesArticleFor = writesArticleFor
    }
}

/// Turns the service's decision on a labelled ticket into the outcomes a
/// customer and an agent would report — the only stand-in for people in a replay.
///
/// - the right article answered → `resolved`, CSAT 4–5;
/// - a wrong article (or any article for an out-of-scope question) answered →
///   escalated (70 %: the agent's correction at once, the service taking the
///   correction as the escalation) or `resolved` then `reopened` a day later
///   (30 %) followed by the agent's correction; CSAT 1–2;
/// - escalated → the agent answers: `corrected` with the label's article when
///   the KB has one; without one, `escalated`, except on the label's
///   n-th escalation (``ArticleWriting``), when the agent writes the article
///   (`corrected` with `agent_reply`); an out-of-scope question is handled by
///   the agent with no article (`escalated`); CSAT 3–5;
///
/// With ``ReplayScenario/solvedEvents``, an escalated question the agent answers with the label's
/// article reaches the service as the helpdesk's bare "solved": `resolved` with the agent's reply
/// (that article's text) and no article id. Every such solve whose suggestion was that article
/// becomes one, and as many whose suggestion was another article as keep those at
/// ``solvedWithOtherArticleShare`` of all solves; the rest stay `corrected` with `article_id`
/// (an agent who linked the article). Those other-article solves are what a service that credits
/// the suggestion on any "solved" would learn wrong.
///
/// At most one of `resolved`, `escalated`, `corrected` per answer before a
/// `reopened`, as the service requires.
/// - a silent customer reports nothing; the agent's events still happen.
/// - with ``csatNoiseRate``, that share of customers rate at random: their CSAT is drawn
///   uniformly from 1–5, whatever happened.
/// - with ``agentErrorRate``, that share of the agent's corrections with an article name a
///   wrong one: the wrong article the service offered (answered or suggested) when there was
///   one — the agent accepted a bad suggestion — else another article drawn from the KB.
///
/// Draws come from a generator per ticket, so the learning run and the
/// baseline draw the same for the same ticket whatever happened before it.
public struct OutcomeSimulator: Sendable {
    /// When agents write a missing article.
    public enum ArticleWriting: Sendable, Equatable {
        /// On the n-th escalation of a label that has no article (the learning run).
        case afterEscalations(Int)
        /// At these tickets (index → label): the points the learning run wrote them at, for the baseline.
        case atTickets([Int: String])
    }

    /// The probability that a wrong answer is escalated at once rather than resolved and reopened.
    public static let wrongAnswerEscalationProbability = 0.7
    /// With solved events: the share of post-escalation solves whose agent used another article than suggested.
    public static let solvedWithOtherArticleShare = 0.3

    /// Whether post-escalation resolutions arrive as the helpdesk's "solved" (``ReplayScenario/solvedEvents``).
    public var solvedEvents = false
    /// The share of corrections naming a wrong article (``ReplayScenario/agentErrorRate``).
    public var agentErrorRate = 0.0
    /// The share of customers who rate at random (``ReplayScenario/csatNoiseRate``).
    public var csatNoiseRate = 0.0
    /// Corrections so far that named a wrong article.
    public private(set) var agentErrors = 0
    /// Solved events so far whose agent used the suggested article, and another one.
    public private(set) var solves: (suggested: Int, other: Int) = (0, 0)

    /// The replay's seed: each ticket's draws come from a generator seeded with it and the ticket's place in the data set.
    public let seed: UInt64
    /// When agents write a missing article.
    public let writing: ArticleWriting
    /// The text an agent writes for a label: the data set's article.
    public let articleByLabel: [String: ReplayArticle]
    /// Escalations so far on each label that had no article.
    public private(set) var escalationsWithoutArticle: [String: Int] = [:]
    /// Where agents wrote articles so far: ticket index → label.
    public private(set) var writtenAt: [Int: String] = [:]

    /// A simulator with nothing written yet.
    public init(seed: UInt64, writing: ArticleWriting, articleByLabel: [String: ReplayArticle]) {
        self.seed = seed
        self.writing = writing
        self.articleByLabel = articleByLabel
    }

    /// The events for one asked ticket.
    /// - Parameters:
    ///   - ticket: the question with its label.
    ///   - decision: what the service decided.
    ///   - answeredArticleID: the article it cited when answering.
    ///   - suggestedArticleID: the article an escalation suggested to the agent.
    ///   - knowledge: the KB as it stands.
    /// - Returns: the events, in the order they are reported.
    public mutating func events(for ticket: PlannedTicket, decision: Decision, answeredArticleID: String?,
                                suggestedArticleID: String? = nil, knowledge: KnowledgeState) -> [SimulatedEvent] {
        var random = SeededGenerator(seed: seed, stream: RandomStream.outcome, index: UInt64(ticket.sourceIndex))
        let escalateAtOnce = random.chance(Self.wrongAnswerEscalationProbability)
        var goodCSAT = random.integer(in: 4...5), badCSAT = random.integer(in: 1...2), agentCSAT = random.integer(in: 3...5)
        if csatNoiseRate > 0 {
            // Its own stream, so that noise leaves every other draw of the ticket as it was.
            var noise = SeededGenerator(seed: seed, stream: RandomStream.csatNoise, index: UInt64(ticket.sourceIndex))
            if noise.chance(csatNoiseRate) {
                let rating = noise.integer(in: 1...5)
                (goodCSAT, badCSAT, agentCSAT) = (rating, rating, rating)
            }
        }
        let scheduledWrite: Bool = if case let .atTickets(points) = writing { points[ticket.index] == ticket.label } else { false }

        if decision == .answer, knowledge.isRight(articleID: answeredArticleID, label: ticket.label) {
            if ticket.silent { return scheduledWrite ? agentCorrection(ticket, knowledge: knowledge, delay: 0).map { [$0] } ?? [] : [] }
            return [SimulatedEvent(outcome: .resolved), SimulatedEvent(outcome: .csat, csat: goodCSAT)]
        }
        if decision == .answer {
            if ticket.silent { return scheduledWrite ? agentCorrection(ticket, knowledge: knowledge, delay: 0).map { [$0] } ?? [] : [] }
            if escalateAtOnce {
                return [agentCorrection(ticket, knowledge: knowledge, delay: 0, offered: answeredArticleID)
                    ?? SimulatedEvent(outcome: .escalated),
                        SimulatedEvent(outcome: .csat, csat: badCSAT)]
            }
            return [SimulatedEvent(outcome: .resolved), SimulatedEvent(delayDays: 1, outcome: .reopened)]
                + (agentCorrection(ticket, knowledge: knowledge, delay: 1, offered: answeredArticleID).map { [$0] } ?? [])
                + [SimulatedEvent(delayDays: 1, outcome: .csat, csat: badCSAT)]
        }
        var agent = agentCorrection(ticket, knowledge: knowledge, delay: 0, offered: suggestedArticleID)
            ?? SimulatedEvent(outcome: .escalated)
        if solvedEvents, let solve = solvedEvent(for: agent, ticket: ticket, suggested: suggestedArticleID) { agent = solve }
        return ticket.silent ? [agent] : [agent, SimulatedEvent(outcome: .csat, csat: agentCSAT)]
    }

    /// The helpdesk's "solved" that stands for an agent's `corrected` with an article, when the
    /// mix allows it (see the type's notes); nil keeps the correction.
    private mutating func solvedEvent(for correction: SimulatedEvent, ticket: PlannedTicket, suggested: String?) -> SimulatedEvent? {
        guard correction.outcome == .corrected, let used = correction.articleID,
              let reply = articleByLabel[ticket.label]?.agentReplyText else { return nil }
        if used == suggested {
            solves.suggested += 1
        } else if Double(solves.other + 1) <= Self.solvedWithOtherArticleShare * Double(solves.suggested + solves.other + 1) {
            solves.other += 1
        } else {
            return nil
        }
        return SimulatedEvent(delayDays: correction.delayDays, outcome: .resolved, agentReply: reply)
    }

    /// The agent's correction after handling the ticket: `corrected` with the
    /// label's article, or with a reply that writes the missing article; `nil`
    /// when the agent answers by hand with no article to point to.
    private mutating func agentCorrection(_ ticket: PlannedTicket, knowledge: KnowledgeState, delay: Int,
                                          offered: String? = nil) -> SimulatedEvent? {
        guard ticket.isInScope else { return nil }
        if let article = knowledge.preferredArticle(for: ticket.label) {
            let used = mistakenArticle(ticket, knowledge: knowledge, offered: offered) ?? article
            return SimulatedEvent(delayDays: delay, outcome: .corrected, articleID: used)
        }
        let writes: Bool
        switch writing {
        case let .afterEscalations(n):
            let count = escalationsWithoutArticle[ticket.label, default: 0] + 1
            escalationsWithoutArticle[ticket.label] = count
            writes = count >= n && !writtenAt.values.contains(ticket.label)
        case let .atTickets(points):
            writes = points[ticket.index] == ticket.label
        }
        guard writes, let article = articleByLabel[ticket.label] else { return nil }
        writtenAt[ticket.index] = ticket.label
        return SimulatedEvent(delayDays: delay, outcome: .corrected, agentReply: article.agentReplyText,
                              writesArticleFor: ticket.label)
    }

    /// With ``agentErrorRate``: the wrong article this agent names instead of the label's, or nil
    /// (the agent got it right). Drawn from the ticket's own generator, so both runs agree.
    private mutating func mistakenArticle(_ ticket: PlannedTicket, knowledge: KnowledgeState, offered: String?) -> String? {
        guard agentErrorRate > 0 else { return nil }
        var random = SeededGenerator(seed: seed, stream: RandomStream.agentError, index: UInt64(ticket.sourceIndex))
        guard random.chance(agentErrorRate) else { return nil }
        let wrong: String?
        if let offered, !knowledge.isRight(articleID: offered, label: ticket.label) {
            wrong = offered
        } else {
            let others = knowledge.articleIDs.filter { !knowledge.isRight(articleID: $0, label: ticket.label) }
            wrong = others.isEmpty ? nil : others[random.integer(below: others.count)]
        }
        if wrong != nil { agentErrors += 1 }
        return wrong
    }
}

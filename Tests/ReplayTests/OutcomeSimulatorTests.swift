@testable import Replay
import Support
import XCTest

/// OutcomeSimulator.swift: every case of decision × label × knowledge.
final class OutcomeSimulatorTests: XCTestCase {
    private let articles = ["card": ReplayArticle(id: "card-article", title: "Card", body: "Card body", label: "card"),
                            "pin": ReplayArticle(id: "pin-article", title: "Pin", body: "Pin body", label: "pin")]

    private func knowledge(_ labels: [String]) -> KnowledgeState {
        var k = KnowledgeState()
        for label in labels { k.add(articleID: articles[label]!.id, label: label) }
        return k
    }

    private func ticket(_ index: Int, _ label: String, silent: Bool = false) -> PlannedTicket {
        PlannedTicket(index: index, sourceIndex: index, day: 0, text: "q", label: label, silent: silent)
    }

    func testRightAnswerResolvesWithAGoodRating() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        for i in 0..<50 {
            let events = sim.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "card-article", knowledge: knowledge(["card", "pin"]))
            XCTAssertEqual(events.map(\.outcome), [.resolved, .csat])
            XCTAssertTrue((4...5).contains(events[1].csat!))
            XCTAssertTrue(events.allSatisfy { $0.delayDays == 0 })
        }
    }

    func testWrongAnswerIsEscalatedOrReopenedThenCorrectedWithTheRightArticle() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        var escalated = 0, reopened = 0
        for i in 0..<1_000 {
            let events = sim.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "pin-article", knowledge: knowledge(["card", "pin"]))
            let correction = SimulatedEvent(delayDays: events[0].outcome == .corrected ? 0 : 1, outcome: .corrected, articleID: "card-article")
            if events[0].outcome == .corrected {
                escalated += 1
                XCTAssertEqual(events.first, correction)
            } else {
                reopened += 1
                XCTAssertEqual(Array(events.prefix(3)), [SimulatedEvent(outcome: .resolved), SimulatedEvent(delayDays: 1, outcome: .reopened), correction])
            }
            XCTAssertEqual(events.last?.outcome, .csat)
            XCTAssertTrue((1...2).contains(events.last!.csat!))
        }
        XCTAssertEqual(Double(escalated) / 1_000, 0.7, accuracy: 0.05)
        XCTAssertEqual(escalated + reopened, 1_000)
    }

    func testWrongAnswerWithoutAnyArticleForTheLabelIsEscalatedOrReopened() {
        var sim = OutcomeSimulator(seed: 3, writing: .afterEscalations(1_000), articleByLabel: articles)
        var kinds = Set<[OutcomeKind]>()
        for i in 0..<100 {
            kinds.insert(sim.events(for: ticket(i, "pin"), decision: .answer, answeredArticleID: "card-article", knowledge: knowledge(["card"])).map(\.outcome))
        }
        XCTAssertEqual(kinds, [[.escalated, .csat], [.resolved, .reopened, .csat]])
    }

    /// The service takes one of resolved / escalated / corrected per answer, and corrected again only after reopened.
    func testNoAnswerGetsTwoTerminalOutcomes() {
        var sim = OutcomeSimulator(seed: 4, writing: .afterEscalations(3), articleByLabel: articles)
        let kb = knowledge(["card"])
        for i in 0..<300 {
            let label = ["card", "pin", "oos"][i % 3]
            let decision: Decision = i % 2 == 0 ? .answer : .escalate
            let events = sim.events(for: ticket(i, label), decision: decision, answeredArticleID: i % 4 == 0 ? "card-article" : "x", knowledge: kb)
            var terminal = 0
            for e in events {
                switch e.outcome {
                case .resolved, .escalated, .corrected: terminal += 1
                case .reopened: terminal = 0
                case .csat: break
                }
                XCTAssertLessThanOrEqual(terminal, 1, "\(events)")
            }
        }
    }

    func testEscalationGetsTheAgentsCorrection() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        let events = sim.events(for: ticket(0, "card"), decision: .escalate, answeredArticleID: "pin-article", knowledge: knowledge(["card"]))
        XCTAssertEqual(events.first, SimulatedEvent(outcome: .corrected, articleID: "card-article"))
        XCTAssertEqual(events.map(\.outcome), [.corrected, .csat])
        XCTAssertTrue((3...5).contains(events[1].csat!))
    }

    func testOutOfScopeAnsweredIsWrongAndEscalatedIsHandledWithoutAnArticle() {
        var sim = OutcomeSimulator(seed: 2, writing: .afterEscalations(3), articleByLabel: articles)
        var sawReopen = false, sawEscalation = false
        for i in 0..<40 {
            let answered = sim.events(for: ticket(i, "oos"), decision: .answer, answeredArticleID: "card-article", knowledge: knowledge(["card", "pin"]))
            XCTAssertTrue([[.escalated, .csat], [.resolved, .reopened, .csat]].contains(answered.map(\.outcome)), "\(answered)")
            if answered.contains(where: { $0.outcome == .reopened }) { sawReopen = true }
            if answered.first?.outcome == .escalated { sawEscalation = true }
            let escalated = sim.events(for: ticket(i, "oos"), decision: .escalate, answeredArticleID: "card-article", knowledge: knowledge(["card", "pin"]))
            XCTAssertEqual(escalated.map(\.outcome), [.escalated, .csat])
        }
        XCTAssertTrue(sawReopen && sawEscalation)
    }

    func testTheAgentWritesAMissingArticleOnTheThirdEscalationOnly() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        let kb = knowledge(["card"])
        for i in 0..<2 {
            let events = sim.events(for: ticket(i, "pin"), decision: .escalate, answeredArticleID: "card-article", knowledge: kb)
            XCTAssertEqual(events.first, SimulatedEvent(outcome: .escalated), "handled by hand, no article yet")
        }
        // A different label's escalation does not count towards pin's.
        _ = sim.events(for: ticket(2, "card"), decision: .escalate, answeredArticleID: nil, knowledge: kb)
        let third = sim.events(for: ticket(3, "pin"), decision: .escalate, answeredArticleID: "card-article", knowledge: kb)
        XCTAssertEqual(third.first, SimulatedEvent(outcome: .corrected, agentReply: "Pin\nPin body", writesArticleFor: "pin"))
        XCTAssertEqual(sim.writtenAt, [3: "pin"])
        let fourth = sim.events(for: ticket(4, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: kb)
        XCTAssertEqual(fourth.first, SimulatedEvent(outcome: .escalated), "written once")
        // Once the KB has it, the agent cites it.
        var withPin = kb
        withPin.add(articleID: "agent-7", label: "pin")
        XCTAssertEqual(sim.events(for: ticket(5, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: withPin).first,
                       SimulatedEvent(outcome: .corrected, articleID: "agent-7"))
    }

    func testTheBaselineWritesAtTheLearningRunsTickets() {
        var sim = OutcomeSimulator(seed: 1, writing: .atTickets([1: "pin"]), articleByLabel: articles)
        let kb = knowledge(["card"])
        XCTAssertEqual(sim.events(for: ticket(0, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: kb).first?.outcome, .escalated)
        let written = sim.events(for: ticket(1, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: kb)
        XCTAssertEqual(written.first?.writesArticleFor, "pin")
        // Even a silent customer's wrong answer gets the article written at that point.
        var silentSim = OutcomeSimulator(seed: 1, writing: .atTickets([1: "pin"]), articleByLabel: articles)
        let silent = silentSim.events(for: ticket(1, "pin", silent: true), decision: .answer, answeredArticleID: "card-article", knowledge: kb)
        XCTAssertEqual(silent.map(\.writesArticleFor), ["pin"])
    }

    func testSilentCustomersReportNothingButAgentsStillDo() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        let kb = knowledge(["card", "pin"])
        XCTAssertEqual(sim.events(for: ticket(0, "card", silent: true), decision: .answer, answeredArticleID: "card-article", knowledge: kb), [])
        XCTAssertEqual(sim.events(for: ticket(1, "card", silent: true), decision: .answer, answeredArticleID: "pin-article", knowledge: kb), [])
        XCTAssertEqual(sim.events(for: ticket(2, "card", silent: true), decision: .escalate, answeredArticleID: nil, knowledge: kb),
                       [SimulatedEvent(outcome: .corrected, articleID: "card-article")])
    }

    func testTheSameTicketDrawsTheSameWhateverCameBefore() {
        var a = OutcomeSimulator(seed: 8, writing: .afterEscalations(3), articleByLabel: articles)
        var b = OutcomeSimulator(seed: 8, writing: .afterEscalations(3), articleByLabel: articles)
        let kb = knowledge(["card", "pin"])
        for i in 0..<30 { _ = a.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "pin-article", knowledge: kb) }
        XCTAssertEqual(a.events(for: ticket(99, "card"), decision: .answer, answeredArticleID: "pin-article", knowledge: kb),
                       b.events(for: ticket(99, "card"), decision: .answer, answeredArticleID: "pin-article", knowledge: kb))
    }

    // MARK: Agent error

    func testWithAgentErrorAnAgentAcceptsTheServicesWrongSuggestion() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        sim.agentErrorRate = 1
        let events = sim.events(for: ticket(0, "card"), decision: .escalate, answeredArticleID: nil,
                                suggestedArticleID: "pin-article", knowledge: knowledge(["card", "pin"]))
        XCTAssertEqual(events.first, SimulatedEvent(outcome: .corrected, articleID: "pin-article"),
                       "the agent confirmed the wrong suggestion instead of naming the card article")
        XCTAssertEqual(sim.agentErrors, 1)
    }

    func testWithAgentErrorAndARightSuggestionTheAgentNamesAnotherArticle() {
        var sim = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        sim.agentErrorRate = 1
        let events = sim.events(for: ticket(0, "card"), decision: .escalate, answeredArticleID: nil,
                                suggestedArticleID: "card-article", knowledge: knowledge(["card", "pin"]))
        XCTAssertEqual(events.first?.articleID, "pin-article", "the only wrong article there is")
        // A wrong answer corrected at once: the agent keeps the service's wrong article.
        var wrongAnswer = OutcomeSimulator(seed: 1, writing: .afterEscalations(3), articleByLabel: articles)
        wrongAnswer.agentErrorRate = 1
        for i in 0..<20 {
            let events = wrongAnswer.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "pin-article",
                                            knowledge: knowledge(["card", "pin"]))
            XCTAssertTrue(events.filter { $0.outcome == .corrected }.allSatisfy { $0.articleID == "pin-article" })
        }
    }

    func testAgentErrorHitsItsShareOfCorrectionsAndZeroChangesNothing() {
        let k = knowledge(["card", "pin"])
        var exact = OutcomeSimulator(seed: 5, writing: .afterEscalations(3), articleByLabel: articles)
        var noisy = OutcomeSimulator(seed: 5, writing: .afterEscalations(3), articleByLabel: articles)
        noisy.agentErrorRate = 0.05
        var wrong = 0
        for i in 0..<4000 {
            let a = exact.events(for: ticket(i, "card"), decision: .escalate, answeredArticleID: nil, suggestedArticleID: "card-article", knowledge: k)
            let b = noisy.events(for: ticket(i, "card"), decision: .escalate, answeredArticleID: nil, suggestedArticleID: "card-article", knowledge: k)
            XCTAssertEqual(a.first?.articleID, "card-article", "no agent error: always the label's article")
            XCTAssertEqual(a.map(\.outcome), b.map(\.outcome), "the error changes the article, not the outcomes or ratings")
            XCTAssertEqual(a.last?.csat, b.last?.csat)
            if b.first?.articleID != "card-article" { wrong += 1 }
        }
        XCTAssertEqual(noisy.agentErrors, wrong)
        XCTAssertEqual(Double(wrong) / 4000, 0.05, accuracy: 0.015)
    }

    // MARK: CSAT noise

    func testCSATNoiseRandomisesItsShareOfRatingsAndNothingElse() {
        let k = knowledge(["card", "pin"])
        var exact = OutcomeSimulator(seed: 3, writing: .afterEscalations(3), articleByLabel: articles)
        var noisy = OutcomeSimulator(seed: 3, writing: .afterEscalations(3), articleByLabel: articles)
        noisy.csatNoiseRate = 0.3
        var changed = 0, lowAfterRightAnswer = 0
        for i in 0..<4000 {
            let a = exact.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "card-article", knowledge: k)
            let b = noisy.events(for: ticket(i, "card"), decision: .answer, answeredArticleID: "card-article", knowledge: k)
            XCTAssertEqual(a.map(\.outcome), b.map(\.outcome), "noise changes ratings, never outcomes")
            XCTAssertTrue((1...5).contains(b[1].csat!))
            if a[1].csat != b[1].csat { changed += 1 }
            if b[1].csat! <= 2 { lowAfterRightAnswer += 1 }
        }
        // 30 % rate at random; of those, 1 in 5 draws the very rating the customer would have given.
        XCTAssertEqual(Double(changed) / 4000, 0.3 * 0.8, accuracy: 0.03)
        XCTAssertEqual(Double(lowAfterRightAnswer) / 4000, 0.3 * 0.4, accuracy: 0.03,
                       "a right answer rated 1–2 happens only through noise")
        var quiet = OutcomeSimulator(seed: 3, writing: .afterEscalations(3), articleByLabel: articles)
        quiet.csatNoiseRate = 0
        var again = OutcomeSimulator(seed: 3, writing: .afterEscalations(3), articleByLabel: articles)
        for i in 0..<200 {
            XCTAssertEqual(quiet.events(for: ticket(i, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: k),
                           again.events(for: ticket(i, "pin"), decision: .escalate, answeredArticleID: nil, knowledge: k))
        }
    }
}

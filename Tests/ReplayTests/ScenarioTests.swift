@testable import Replay
import XCTest

/// Scenario.swift and ReplayPlan.swift: held-back labels, releases, silence, the preset.
final class ScenarioTests: XCTestCase {
    func testSteadyStateHasEveryArticleOnDayZeroAndTheFileOrder() throws {
        let dataset = Fixtures.dataset(labels: 5, perLabel: 20)
        var scenario = ReplayScenario()
        scenario.days = 10
        let plan = try scenario.plan(dataset)
        XCTAssertEqual(plan.initialArticles, dataset.articles)
        XCTAssertTrue(plan.releases.isEmpty)
        XCTAssertEqual(plan.tickets.map(\.text), dataset.tickets.map(\.text))
        XCTAssertEqual(plan.tickets.map(\.day), dataset.arrivalDays(days: 10))
        XCTAssertEqual(plan.tickets.map(\.index), Array(0..<100))
        XCTAssertFalse(plan.tickets.contains(where: \.silent))
    }

    func testInitialKBHoldsBackTheRestAndReleasesThemEvenlyFromDay1ToTwoThirds() throws {
        let dataset = Fixtures.dataset(labels: 20, perLabel: 10)
        var scenario = ReplayScenario()
        scenario.days = 90
        scenario.seed = 9
        scenario.initialKnowledgeFraction = 0.75
        let plan = try scenario.plan(dataset)
        XCTAssertEqual(plan.releases.count, 5)
        XCTAssertEqual(plan.initialArticles.count, 15)
        let held = Set(plan.releases.map(\.label))
        XCTAssertTrue(Set(plan.initialArticles.map(\.label)).isDisjoint(with: held))
        XCTAssertEqual(plan.releases.map(\.day), [1, 15, 30, 45, 60])
        XCTAssertTrue(plan.releases.allSatisfy { $0.article == plan.articleByLabel[$0.label] && !$0.publishesArticle })

        // New products: a held-back label is asked only from its release day on; the rest are untouched.
        for release in plan.releases {
            let days = plan.tickets.filter { $0.label == release.label }.map(\.day)
            XCTAssertEqual(days.count, 10)
            XCTAssertGreaterThanOrEqual(days.min()!, release.day)
        }
        let spread = dataset.arrivalDays(days: 90)
        for ticket in plan.tickets where !held.contains(ticket.label) {
            XCTAssertEqual(ticket.day, spread[ticket.sourceIndex])
        }
        XCTAssertEqual(plan.tickets.map(\.day), plan.tickets.map(\.day).sorted(), "the stream is in arrival order")
        XCTAssertEqual(Set(plan.tickets.map(\.sourceIndex)).count, dataset.tickets.count, "no ticket lost or doubled")

        // The same seed holds back the same labels; another seed others.
        XCTAssertEqual(try scenario.plan(dataset), plan)
        scenario.seed = 10
        XCTAssertNotEqual(Set(try scenario.plan(dataset).releases.map(\.label)), held)
    }

    func testLateArticlesKeepTheQuestionsAndPublishTheArticle() throws {
        let dataset = Fixtures.dataset(labels: 10, perLabel: 10)
        var scenario = ReplayScenario()
        scenario.days = 30
        scenario.initialKnowledgeFraction = 0.5
        scenario.heldBackMode = .lateArticles
        let plan = try scenario.plan(dataset)
        XCTAssertEqual(plan.releases.count, 5)
        XCTAssertTrue(plan.releases.allSatisfy(\.publishesArticle))
        XCTAssertEqual(plan.tickets.map(\.day), dataset.arrivalDays(days: 30))
        XCTAssertEqual(plan.releases.map(\.day), [1, 5, 10, 15, 20])
    }

    func testProductUpdatesHoldsBack20PercentReleasedFromDay30() throws {
        let dataset = Fixtures.dataset(labels: 150, perLabel: 2)
        let scenario = ReplayScenario.productUpdates(days: 90, seed: 4)
        let plan = try scenario.plan(dataset)
        XCTAssertEqual(plan.releases.count, 30)
        XCTAssertEqual(plan.releases.first?.day, 30)
        XCTAssertEqual(plan.releases.last?.day, 60)
        XCTAssertTrue(plan.releases.allSatisfy { (30...60).contains($0.day) })
        XCTAssertEqual(plan.initialArticles.count, 120)
    }

    func testSilenceMarksAboutTheRateAndIsSeeded() throws {
        let dataset = Fixtures.dataset(labels: 10, perLabel: 400)
        var scenario = ReplayScenario()
        scenario.silenceRate = 0.25
        let plan = try scenario.plan(dataset)
        let silent = Double(plan.tickets.filter(\.silent).count) / Double(plan.tickets.count)
        XCTAssertEqual(silent, 0.25, accuracy: 0.03)
        XCTAssertEqual(try scenario.plan(dataset).tickets.map(\.silent), plan.tickets.map(\.silent))
    }

    func testDriftChangesTextsFromItsDayOnly() throws {
        let dataset = Fixtures.dataset(labels: 2, perLabel: 10)
        var scenario = ReplayScenario()
        scenario.days = 10
        scenario.drift = TermDrift(startDay: 5, substitutions: [.init(from: "question", to: "ask")])
        let plan = try scenario.plan(dataset)
        for t in plan.tickets {
            XCTAssertEqual(t.text.hasPrefix("ask "), t.day >= 5, t.text)
        }
    }

    func testOutOfRangeOptionsAreRefused() {
        var scenario = ReplayScenario()
        scenario.initialKnowledgeFraction = 1.5
        XCTAssertThrowsError(try scenario.validate())
        scenario = ReplayScenario()
        scenario.silenceRate = -0.1
        XCTAssertThrowsError(try scenario.validate())
        scenario = ReplayScenario()
        scenario.days = 20
        scenario.releaseDays = 10...25
        XCTAssertThrowsError(try scenario.validate()) { XCTAssertTrue("\($0)".contains("release days")) }
    }
}

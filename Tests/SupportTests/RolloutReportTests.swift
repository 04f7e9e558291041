import Foundation
@testable import Support
import XCTest

/// The 30/60/90-day roll-out report (Rollout/RolloutReport.swift) over a hand-made history on a
/// real core and store: every checkpoint figure is known in advance.
final class RolloutReportTests: XCTestCase {
    private let day: TimeInterval = 86_400
    private let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    private let password = "how do I reset my password"

    func testTheRolloutReportOfAHandMadeHistoryHasExactlyTheExpectedCheckpointFigures() async throws {
        let harness = try SupportHarness()
        let clock = SimulatedClock(start: start)
        let service = try await harness.service({ $0.policy.fixedThreshold = 0 }, clock: clock)   // answers everything live
        try await service.upsertArticles(SupportHarness.articles)
        XCTAssertNil(try service.rolloutReport().deployedAt, "nothing answered live yet: no deployment")
        try service.setMode(.shadow, ofTopic: "billing")

        // Day 0 + 1 h: the first live answer is the deployment.
        clock.advance(by: 3600)
        let deployed = clock.now
        func ask(_ text: String) async throws -> AskResponse { try await service.ask(AskRequest(text: text)) }
        func outcome(_ asked: AskResponse, _ kind: OutcomeKind, after seconds: TimeInterval, csat: Int? = nil,
                     article: String? = nil) async throws {
            clock.advance(by: seconds)
            _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: kind, articleID: article))
            if let csat {
                _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .csat, csat: csat))
            }
        }

        // Days 0–29: four account answers and one billing question in shadow.
        let a1 = try await ask(password)
        XCTAssertEqual(a1.decision, .answer)
        XCTAssertEqual(a1.topic, "account")
        try await outcome(a1, .resolved, after: 600, csat: 5)                      // resolved in 600 s, satisfied
        let a2 = try await ask(password)
        try await outcome(a2, .resolved, after: 1200, csat: 2)                     // 1 200 s, not satisfied
        let a3 = try await ask(password)
        try await outcome(a3, .resolved, after: 1800)
        try await outcome(a3, .reopened, after: 60)                                // taken back: wrong
        let a4 = try await ask(password)
        let other = a4.article?.id == "two-factor" ? "reset-password" : "two-factor"
        try await outcome(a4, .corrected, after: 30, article: other)               // the agent used another article: wrong
        let billing = try await ask("why was my card charged twice")
        XCTAssertEqual(billing.topic, "billing")
        XCTAssertEqual(billing.decision, .escalate)

        // Days 30–59: two account answers, resolved in 300 s and 900 s.
        clock.advance(by: 35 * day)
        let b1 = try await ask(password)
        try await outcome(b1, .resolved, after: 300)
        let b2 = try await ask(password)
        try await outcome(b2, .resolved, after: 900)

        // Day 61 after deployment: days 30 and 60 are reached, day 90 is not.
        let now = deployed.addingTimeInterval(61 * day)
        let report = try service.rolloutReport(now: now)
        XCTAssertEqual(report.deployedAt, deployed)
        XCTAssertEqual(report.deployedAtSource, .firstLiveAnswer)
        XCTAssertEqual(report.checkpoints.map(\.day), [30, 60])
        XCTAssertNil(report.baseline)

        let d30 = report.checkpoints[0]
        XCTAssertEqual(d30.since, deployed)
        XCTAssertEqual(d30.until, deployed.addingTimeInterval(30 * day))
        let account = try XCTUnwrap(d30.topics.first { $0.topic == "account" })
        XCTAssertEqual(account.mode, .live)
        XCTAssertEqual(account.tickets, 4)
        XCTAssertEqual(account.answered, 4)
        XCTAssertEqual(account.autonomousResolution, RolloutRate(2, of: 4))
        XCTAssertEqual(account.escalation, RolloutRate(0, of: 4))
        XCTAssertEqual(account.reopen, RolloutRate(1, of: 3))
        XCTAssertEqual(account.wrongAnswer, RolloutRate(2, of: 4))
        XCTAssertEqual(account.csat, RolloutRate(1, of: 2))
        XCTAssertEqual(account.medianResolutionSeconds, 1200, "600, 1 200 and 1 800 s to the first resolution")
        // The 95 % Wilson interval of 2 of 4, worked by hand: 0.1500–0.8500.
        XCTAssertEqual(try XCTUnwrap(account.autonomousResolution.interval).lower, 0.1500, accuracy: 0.0001)
        XCTAssertEqual(try XCTUnwrap(account.autonomousResolution.interval).upper, 0.8500, accuracy: 0.0001)
        let shadowed = try XCTUnwrap(d30.topics.first { $0.topic == "billing" })
        XCTAssertEqual(shadowed.mode, .shadow)
        XCTAssertEqual(shadowed.tickets, 1)
        XCTAssertEqual(shadowed.answered, 0)
        XCTAssertEqual(shadowed.escalation, RolloutRate(1, of: 1))
        XCTAssertEqual(d30.total.tickets, 5)
        XCTAssertEqual(d30.total.autonomousResolution, RolloutRate(2, of: 5))

        let d60 = try XCTUnwrap(report.checkpoints.last?.topics.first { $0.topic == "account" })
        XCTAssertEqual(d60.tickets, 2)
        XCTAssertEqual(d60.autonomousResolution, RolloutRate(2, of: 2))
        XCTAssertEqual(d60.wrongAnswer, RolloutRate(0, of: 2))
        XCTAssertEqual(d60.medianResolutionSeconds, 600, "the mean of 300 and 900 s")
        XCTAssertNil(report.checkpoints.last?.topics.first { $0.topic == "billing" }, "no billing question in days 30–59")

        // The JSON carries the contract's keys, a checkpoint not reached is absent.
        guard case let .object(json) = report.jsonValue, case let .array(checkpoints)? = json["checkpoints"],
              case let .object(first)? = checkpoints.first, case let .array(topics)? = first["topics"],
              case let .object(row)? = topics.first(where: { if case let .object(r) = $0 { r["topic"] == .string("account") } else { false } })
        else { return XCTFail("unexpected JSON shape: \(report.jsonValue)") }
        XCTAssertEqual(checkpoints.count, 2)
        for key in ["topic", "mode", "tickets", "autonomous_resolution_rate", "escalation_rate", "reopen_rate", "wrong_answer_rate",
                    "csat", "median_resolution_seconds", "ci_low", "ci_high"] {
            XCTAssertNotNil(row[key], key)
        }
        XCTAssertEqual(row["autonomous_resolution_rate"], .double(0.5))
        XCTAssertEqual(row["median_resolution_seconds"], .double(1200))
        await service.close()
    }

    func testAConfiguredDeploymentDateSetsTheClockAndModesAreReadAtEachWindowsEnd() async throws {
        let harness = try SupportHarness()
        let clock = SimulatedClock(start: start)
        let service = try await harness.service({
            $0.policy.fixedThreshold = 0
            $0.deployedAt = Date(timeIntervalSince1970: 1_735_689_600)
        }, clock: clock)
        try await service.upsertArticles(SupportHarness.articles)
        try service.setMode(.shadow, ofTopic: "account")
        clock.advance(by: day)
        _ = try await service.ask(AskRequest(text: password))
        clock.advance(by: 40 * day)
        try service.setMode(.live, ofTopic: "account")      // day 41: live
        _ = try await service.ask(AskRequest(text: password))

        let report = try service.rolloutReport(now: start.addingTimeInterval(60 * day))
        XCTAssertEqual(report.deployedAtSource, .configured)
        XCTAssertEqual(report.deployedAt, start)
        XCTAssertEqual(report.checkpoints.map(\.day), [30, 60], "day 60 is reached at its very end")
        XCTAssertEqual(report.checkpoints[0].topics.first { $0.topic == "account" }?.mode, .shadow)
        XCTAssertEqual(report.checkpoints[1].topics.first { $0.topic == "account" }?.mode, .live)
        XCTAssertEqual(try service.rolloutReport(now: start.addingTimeInterval(60 * day - 1)).checkpoints.map(\.day), [30])
        await service.close()
    }
}

import Foundation
import LoopdeskTestSupport
@testable import Replay
import Support
import XCTest

/// ReplayRunner.swift end to end: a small labelled stream through the real
/// service and an in-process core, both runs.
final class ReplayRunnerTests: XCTestCase {
    /// Six topics with their own words, 30 questions each, and 10 out-of-scope ones.
    private static let dataset: ReplayDataset = {
        let topics: [(String, String, [String])] = [
            ("password", "Reset your password", ["forgot my password", "reset password", "cannot log in password", "password reset link"]),
            ("refund", "Get a refund", ["I want a refund", "refund my order", "money back refund", "how do refunds work"]),
            ("shipping", "Track your shipment", ["where is my package", "track shipping", "delivery is late", "shipment tracking number"]),
            ("invoice", "Download an invoice", ["download invoice", "need an invoice pdf", "billing invoice copy", "invoice for my company"]),
            ("cancel", "Cancel your subscription", ["cancel my subscription", "stop subscription", "end my plan cancel", "how to cancel"]),
            ("upgrade", "Upgrade your plan", ["upgrade my plan", "move to premium plan", "upgrade to pro", "more seats upgrade"]),
        ]
        let articles = topics.map { ReplayArticle(id: "kb-\($0.0)", title: $0.1, body: $0.1 + ". " + $0.2.joined(separator: ". "), label: $0.0) }
        let prefixes = ["", "hi, ", "please help: ", "urgent ", "hello, ", "quick question, ", "hey ", "support: "]
        var tickets: [ReplayTicket] = []
        for i in 0..<30 {
            for (label, _, phrasings) in topics {
                tickets.append(ReplayTicket(text: prefixes[i % prefixes.count] + phrasings[(i / prefixes.count + i) % phrasings.count], label: label))
            }
            if i % 3 == 0 { tickets.append(ReplayTicket(text: ["what is the capital of peru", "tell me a joke", "how tall is everest",
                                                               "best pizza recipe", "who won the match"][i % 5], label: "oos")) }
        }
        return ReplayDataset(tickets: tickets, articles: articles)
    }()

    private func options(_ scenario: ReplayScenario) -> ReplayOptions {
        var options = ReplayOptions()
        options.scenario = scenario
        options.startCore = { socket, data in
            let core = try RunningCore(socketPath: socket, dataPath: data)
            return { core.stop() }
        }
        return options
    }

    func testSteadyStateRunsBothSystemsOnTheSameStream() async throws {
        var scenario = ReplayScenario()
        scenario.days = 14
        let phases = ProgressBox<[ReplayProgress.Phase: Int]>([:])
        let runner = ReplayRunner(options: options(scenario), embedder: TestEmbedder.shared) { p in phases.withLock { $0[p.phase] = p.done } }
        let result = try await runner.run(Self.dataset)
        let baseline = try XCTUnwrap(result.baseline)
        let n = Self.dataset.tickets.count
        XCTAssertEqual(result.rejectedOutcomes, 0, "every simulated outcome is one the service accepts")
        XCTAssertEqual(result.learning.map(\.index), Array(0..<n))
        XCTAssertEqual(baseline.map(\.label), result.learning.map(\.label))
        XCTAssertEqual(phases.withLock { $0 }, [.embedding: n, .learning: n, .baseline: n])
        for record in result.learning + baseline {
            XCTAssertEqual(record.answerable, record.inScope, "steady state: every label has its article")
            if record.right { XCTAssertEqual(record.articleID, "kb-\(record.label)") }
            if !record.inScope { XCTAssertFalse(record.right) }
            XCTAssertTrue((0..<14).contains(record.day))
        }
        XCTAssertEqual(result.weightsByWeek?.count, 2)
        XCTAssertFalse(result.weightsByWeek?.last?.isEmpty ?? true, "the core reports the ranker's weights")
        let report = ReplayReport(result)
        XCTAssertEqual(report.summary.learning.tickets, n)
        XCTAssertEqual(report.summary.learning.oracleResolutionRate, 1)
    }

    /// `--frontier`: a learning run per target on the same stream; the configured target reuses the main run.
    func testTheFrontierRunsTheLearningSystemAtEachTarget() async throws {
        var scenario = ReplayScenario()
        scenario.days = 14
        var options = options(scenario)
        options.runBaseline = false
        options.frontierTargets = [0.005, options.configuration.policy.targetWrongRate]
        let result = try await ReplayRunner(options: options, embedder: TestEmbedder.shared).run(Self.dataset)
        XCTAssertEqual(result.frontier.map(\.target), [0.005, 0.02])
        XCTAssertEqual(result.frontier[1].learning, result.learning, "the configured target is the learning run itself")
        XCTAssertEqual(result.frontier[0].learning.map(\.index), result.learning.map(\.index), "the same stream")
        XCTAssertEqual(result.rejectedOutcomes, 0)
    }

    func testHeldBackLabelsGetTheirArticleFromTheAgentInBothRuns() async throws {
        var scenario = ReplayScenario()
        scenario.days = 14
        scenario.seed = 3
        scenario.initialKnowledgeFraction = 0.5
        let result = try await ReplayRunner(options: options(scenario), embedder: TestEmbedder.shared).run(Self.dataset)
        let baseline = try XCTUnwrap(result.baseline)
        XCTAssertEqual(result.rejectedOutcomes, 0)
        XCTAssertEqual(result.releases.count, 3)
        XCTAssertEqual(Set(result.articlesWritten.values), Set(result.releases.map(\.label)),
                       "every new product's article is written by an agent")
        for (index, label) in result.articlesWritten {
            let release = result.releases.first { $0.label == label }!
            for records in [result.learning, baseline] {
                let mine = records.filter { $0.label == label }
                XCTAssertTrue(mine.allSatisfy { $0.day >= release.day }, "no question before the launch")
                XCTAssertFalse(mine.contains { $0.index <= index && $0.answerable }, "no article before the agent wrote it")
                XCTAssertTrue(mine.last!.answerable, "the written article is in the KB afterwards")
            }
            // The third of its questions is where the agent wrote it (all earlier ones were escalated or wrong).
            XCTAssertEqual(result.learning.filter { $0.label == label && $0.index <= index }.count, 3)
            // Its article arrived on the day of that third question (outcomes are delivered at once here).
            let writingDay = result.learning.first { $0.index == index }!.day
            XCTAssertTrue(result.articleArrivals.values.contains(writingDay), "the written article's arrival day is kept")
        }
        XCTAssertEqual(result.articleArrivals.count, result.articlesWritten.count, "one arrival per written article, none for day 0's")
    }

    /// A new product far from every article — laser-cutter questions — launched on day 3 with no
    /// article: its escalations cluster into one knowledge gap, flagged before the agent writes the
    /// article (after 5 escalations here, so the gap has room to reach the flag's 3 questions).
    func testGapDetectionFlagsANewProductWithinItsFirstQuestions() async throws {
        let laser = ReplayArticle(id: "kb-laser", title: "Calibrate the laser cutter",
                                  body: "Calibrate the laser cutter: focus the laser lens and align the cutter bed.", label: "laser")
        let phrasings = ["how do I calibrate the laser cutter", "laser cutter calibration", "calibrating my laser cutter",
                         "the laser cutter needs calibration", "help calibrating laser cutter"]
        var dataset = Self.dataset
        dataset.articles.append(laser)
        for i in 0..<15 { dataset.tickets.append(ReplayTicket(text: phrasings[i % phrasings.count], label: "laser", day: 3 + i / 2)) }
        var scenario = ReplayScenario()
        scenario.days = 14
        var plan = try scenario.plan(dataset)
        plan.initialArticles.removeAll { $0.label == "laser" }
        plan.releases = [LabelRelease(label: "laser", day: 3, article: laser, publishesArticle: false)]
        plan.agentWritesAfterEscalations = 5
        var options = options(scenario)
        options.runBaseline = false

        let result = try await ReplayRunner(options: options, embedder: TestEmbedder.shared).run(plan: plan)
        XCTAssertEqual(result.rejectedOutcomes, 0)
        let detection = try XCTUnwrap(result.gapDetection, "the service keeps gaps, so the replay measures them")
        XCTAssertEqual(detection.labels.map(\.label), ["laser"], "the only label that ever lacked an article")
        let flag = try XCTUnwrap(detection.labels.first)
        XCTAssertEqual(flag.firstUnansweredDay, 3)
        let questions = try XCTUnwrap(flag.questionsBeforeFlag, "the new product is flagged")
        XCTAssertLessThanOrEqual(questions, 5, "flagged before the agent wrote its article")
        XCTAssertGreaterThanOrEqual(questions, 2, "a gap needs 3 questions, most of them the label's")
        XCTAssertGreaterThanOrEqual(detection.gapsFlagged, 1)
        XCTAssertFalse(detection.reported.isEmpty)
        XCTAssertEqual(result.questionsBeforeGapFlag, ["laser": questions])

        let report = ReplayReport(result)
        XCTAssertEqual(report.summary.gapDetectionMedianQuestions, Double(questions))
        XCTAssertEqual(report.releasedLabels.first?.questionsBeforeGapFlag, questions)
        XCTAssertNotNil(report.weeks[0].gapDetectionPrecision)
        let precision = try XCTUnwrap(detection.precision(days: 0...13))
        XCTAssertTrue((0...1).contains(precision))
    }
}

/// A value behind a lock, for progress callbacks.
private final class ProgressBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}

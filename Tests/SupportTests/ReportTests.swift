import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Support

/// SupportReports.swift and SQLiteStore-Reports.swift: the rates on hand-made answers.
final class ReportTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var store: SQLiteStore!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ldreports")
        store = try SQLiteStore(path: directory.file("r.sqlite"))
    }

    override func tearDownWithError() throws {
        store = nil
        directory.remove()
    }

    static func date(_ iso: String) -> Date { try! Date(iso, strategy: .iso8601) }

    /// Writes one answer with its outcome, as the engine would leave it.
    static func add(_ store: SQLiteStore, _ iso: String, topic: String?, _ decision: Decision, score: Double = 0.5, lower: Double = 0.3,
                    outcome: OutcomeKind? = nil, right: Bool? = nil, csat: Int? = nil, question: String = "q") throws {
        let at = date(iso)
        try store.write { w in
            let conversation = "c_\(UUID().uuidString)"
            try w.appendTurns(conversationID: conversation, context: [:],
                              turns: [ConversationTurn(role: .customer, text: question, answerKey: nil, createdAt: at)])
            let key = try w.insertAnswer(AnswerRecord(key: 0, coreImpression: 1, generation: 1, conversationID: conversation,
                                                      question: question, vector: [1, 0], articleKey: nil, shownGroups: [],
                                                      topic: topic, decision: decision, reason: "test", score: score, lower: lower,
                                                      upper: min(1, score + 0.2), threshold: 0.5, createdAt: at))
            if outcome != nil || right != nil {
                try w.updateAnswer(AnswerUpdate(answerKey: key, outcome: outcome, topWasRight: right))
            }
            if let csat {
                try w.insertOutcome(OutcomeEventRecord(answerKey: key, kind: .csat, csat: csat, agentReply: nil, articleID: nil,
                                                       eventID: nil, createdAt: at))
            }
        }
    }

    private func reports(at iso: String) -> SupportReports {
        SupportReports(store: store, clock: SimulatedClock(start: Self.date(iso)))
    }

    func testRatesByDay() throws {
        // Monday 3 March 2025: four questions.
        try Self.add(store, "2025-03-03T09:00:00Z", topic: "billing", .answer, outcome: .resolved, right: true, csat: 5)
        try Self.add(store, "2025-03-03T10:00:00Z", topic: "billing", .answer, outcome: .reopened, right: false, csat: 3)
        try Self.add(store, "2025-03-03T11:00:00Z", topic: "login", .escalate)
        try Self.add(store, "2025-03-03T12:00:00Z", topic: "login", .answer, outcome: .corrected, right: false)
        // Tuesday: one pending answer, one escalation the customer asked for after an answer.
        try Self.add(store, "2025-03-04T09:00:00Z", topic: "login", .answer)
        try Self.add(store, "2025-03-04T10:00:00Z", topic: nil, .answer, outcome: .escalated, right: false)

        let report = try reports(at: "2025-03-04T18:00:00Z").resolution(by: .day, days: 3)
        XCTAssertEqual(report.periods.map(\.name), ["2025-03-02", "2025-03-03", "2025-03-04"])
        XCTAssertEqual(report.periods[0].tally, AnswerTally())
        XCTAssertNil(report.periods[0].rates.resolution, "no questions, no rate")
        let monday = report.periods[1]
        XCTAssertEqual(monday.tally, AnswerTally(asked: 4, answered: 3, escalated: 1, resolved: 1, reopened: 1, corrected: 1,
                                                 wrong: 2, pending: 0, csatSum: 8, csatCount: 2, csatSatisfied: 1))
        XCTAssertEqual(monday.rates.resolution, 0.25)
        XCTAssertEqual(monday.rates.escalation, 0.25)
        XCTAssertEqual(monday.rates.reopen, 0.5)
        XCTAssertEqual(monday.rates.wrong!, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(monday.rates.csat, 4)
        let tuesday = report.periods[2].tally
        XCTAssertEqual(tuesday.asked, 2)
        XCTAssertEqual(tuesday.pending, 1)
        XCTAssertEqual(tuesday.escalated, 1, "an answer the customer escalated counts as an escalation")
        XCTAssertEqual(tuesday.wrong, 0, "escalated after an answer is not a wrong answer by the issue's definition")
        XCTAssertEqual(report.total.tally.asked, 6)

        // JSON: every rate key present, null without a denominator.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        let first = (json["periods"] as! [[String: Any]])[0]
        XCTAssertEqual(first["period"] as? String, "2025-03-02")
        XCTAssertTrue(first["resolution_rate"] is NSNull)
        XCTAssertEqual((json["periods"] as! [[String: Any]])[1]["escalation_rate"] as? Double, 0.25)
    }

    func testISOWeeksAgreeBetweenSQLAndCalendar() throws {
        let instants = ["2020-12-31T12:00:00Z", "2021-01-03T23:59:00Z", "2021-01-04T00:00:00Z", "2024-12-30T08:00:00Z",
                        "2025-01-05T08:00:00Z", "2025-01-06T08:00:00Z", "2026-12-31T08:00:00Z"]
        for instant in instants { try Self.add(store, instant, topic: "t", .escalate) }
        let stored = try store.tallies(by: .week, since: Self.date("2020-01-01T00:00:00Z"), until: Self.date("2027-06-01T00:00:00Z"))
        let expected = Dictionary(grouping: instants.map { SupportReports.weekLabel(Self.date($0)) }, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: stored.map { ($0.period, $0.tally.asked) }), expected)
        XCTAssertEqual(expected["2020-W53"], 2)
        XCTAssertEqual(expected["2025-W01"], 2, "30 Dec 2024 and 5 Jan 2025 are in ISO week 2025-W01")
        XCTAssertEqual(stored.first { $0.period == "2025-W01" }?.start, "2024-12-30")
        XCTAssertEqual(SupportReports.weekLabel(Self.date("2026-12-31T08:00:00Z")), "2026-W53")

        let weekly = try reports(at: "2025-01-08T12:00:00Z").resolution(by: .week, days: 14)
        XCTAssertEqual(weekly.periods.map(\.name), ["2024-W52", "2025-W01", "2025-W02"])
        XCTAssertEqual(weekly.periods.map(\.tally.asked), [0, 2, 1])
    }

    func testTopicsAndConfidenceHistograms() throws {
        try Self.add(store, "2025-03-03T09:00:00Z", topic: "billing", .answer, score: 0.95, lower: 0.81, outcome: .resolved, right: true)
        try Self.add(store, "2025-03-03T09:01:00Z", topic: "billing", .answer, score: 1.0, lower: 0.0)
        try Self.add(store, "2025-03-03T09:02:00Z", topic: "billing", .escalate, score: 0.42, lower: 0.12)
        try Self.add(store, "2025-03-03T09:03:00Z", topic: "login", .escalate, score: 0.05, lower: 0.01)
        try Self.add(store, "2025-03-03T09:04:00Z", topic: nil, .escalate, score: 0, lower: 0)

        let r = reports(at: "2025-03-03T12:00:00Z")
        let topics = try r.topics(days: 1).topics
        XCTAssertEqual(topics.map(\.name), ["billing", "(none)", "login"])
        XCTAssertEqual(topics[0].tally.asked, 3)
        XCTAssertEqual(topics[0].rates.escalation!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(topics[2].rates.escalation, 1)

        let confidence = try r.confidence(days: 1, bins: 10)
        XCTAssertEqual(confidence.edges.count, 11)
        XCTAssertEqual(confidence.overall.count, 5)
        XCTAssertEqual(confidence.overall.score, [2, 0, 0, 0, 1, 0, 0, 0, 0, 2], "1.0 falls in the last bin")
        XCTAssertEqual(confidence.overall.lower, [3, 1, 0, 0, 0, 0, 0, 0, 1, 0])
        let billing = try XCTUnwrap(confidence.topics.first { $0.topic == "billing" })
        XCTAssertEqual(billing.count, 3)
        XCTAssertEqual(billing.score[9], 2)
        XCTAssertEqual(confidence.topics.first?.topic, "billing", "busiest first")
    }

    func testMetricEventsPageInOrder() throws {
        for i in 0..<5 { try Self.add(store, "2025-03-03T09:0\(i):00Z", topic: "t", i % 2 == 0 ? .answer : .escalate, score: Double(i) / 10) }
        let first = try store.answerEvents(after: 0, limit: 3)
        XCTAssertEqual(first.map(\.decision), [.answer, .escalate, .answer])
        let rest = try store.answerEvents(after: first.last!.key, limit: 10)
        XCTAssertEqual(rest.map(\.score), [0.3, 0.4])
    }
}

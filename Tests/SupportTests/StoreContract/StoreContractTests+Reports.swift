import Foundation
@testable import Support
import XCTest

/// The report and roll-out parts of the store contract, on ``StoreWorkload``'s history.
extension StoreContractTests {
    private var range: (since: Date, until: Date) { (F.time(days: -1), F.time(days: 30)) }

    func testTalliesByDayAndISOWeek() throws {
        try StoreWorkload.write(into: store)
        XCTAssertEqual(try store.tallies(by: .day, since: range.since, until: range.until), [
            PeriodTally(period: "2024-12-30", start: "2024-12-30", tally: AnswerTally(asked: 2, answered: 1, escalated: 1, resolved: 1,
                                                                                      csatSum: 5, csatCount: 1, csatSatisfied: 1)),
            PeriodTally(period: "2024-12-31", start: "2024-12-31", tally: AnswerTally(asked: 1, answered: 1, reopened: 1, wrong: 1)),
            PeriodTally(period: "2025-01-05", start: "2025-01-05", tally: AnswerTally(asked: 1, answered: 1, pending: 1)),
            PeriodTally(period: "2025-01-06", start: "2025-01-06", tally: AnswerTally(asked: 2, answered: 1, escalated: 1, corrected: 1, wrong: 1)),
        ])
        XCTAssertEqual(try store.tallies(by: .week, since: range.since, until: range.until), [
            PeriodTally(period: "2025-W01", start: "2024-12-30", tally: AnswerTally(asked: 4, answered: 3, escalated: 1, resolved: 1,
                                                                                    reopened: 1, wrong: 1, pending: 1, csatSum: 5,
                                                                                    csatCount: 1, csatSatisfied: 1)),
            PeriodTally(period: "2025-W02", start: "2025-01-06", tally: AnswerTally(asked: 2, answered: 1, escalated: 1, corrected: 1, wrong: 1)),
        ])
        XCTAssertEqual(try store.tallies(by: .day, since: F.time(days: 1), until: F.time(days: 2)).map(\.period), ["2024-12-31"],
                       "the range is since ..< until")
        XCTAssertEqual(try store.tallies(by: .day, since: F.time(days: 100), until: F.time(days: 101)), [])
    }

    func testTopicTalliesVolumesAndBinsSortTextByBytes() throws {
        try StoreWorkload.write(into: store)
        let topics = try store.topicTallies(since: range.since, until: range.until)
        XCTAssertEqual(topics.map(\.topic), ["billing", SupportReports.noTopic, "Shipping", "éclair"], "busiest first, then by bytes")
        XCTAssertEqual(topics.map(\.tally.asked), [3, 1, 1, 1])
        XCTAssertEqual(topics.first?.tally, AnswerTally(asked: 3, answered: 1, escalated: 2, resolved: 1, csatSum: 5, csatCount: 1, csatSatisfied: 1))

        XCTAssertEqual(try store.topicVolumes(by: .day, since: range.since, until: range.until), [
            TopicVolume(topic: SupportReports.noTopic, period: "2025-01-05", count: 1),
            TopicVolume(topic: "Shipping", period: "2024-12-31", count: 1),
            TopicVolume(topic: "billing", period: "2024-12-30", count: 2),
            TopicVolume(topic: "billing", period: "2025-01-06", count: 1),
            TopicVolume(topic: "éclair", period: "2025-01-06", count: 1),
        ])
        XCTAssertEqual(try store.topicVolumes(by: .week, since: range.since, until: range.until).map { "\($0.topic) \($0.period) \($0.count)" },
                       ["(none) 2025-W01 1", "Shipping 2025-W01 1", "billing 2025-W01 2", "billing 2025-W02 1", "éclair 2025-W02 1"])

        XCTAssertEqual(try store.confidenceBins(10, since: range.since, until: range.until), [
            ConfidenceBinCount(topic: SupportReports.noTopic, bin: 0, scores: 1, lowers: 1),
            ConfidenceBinCount(topic: "Shipping", bin: 9, scores: 1, lowers: 1),
            ConfidenceBinCount(topic: "billing", bin: 1, scores: 0, lowers: 1),
            ConfidenceBinCount(topic: "billing", bin: 2, scores: 0, lowers: 1),
            ConfidenceBinCount(topic: "billing", bin: 3, scores: 1, lowers: 0),
            ConfidenceBinCount(topic: "billing", bin: 4, scores: 1, lowers: 0),
            ConfidenceBinCount(topic: "billing", bin: 6, scores: 0, lowers: 1),
            ConfidenceBinCount(topic: "billing", bin: 8, scores: 1, lowers: 0),
            ConfidenceBinCount(topic: "éclair", bin: 6, scores: 0, lowers: 1),
            ConfidenceBinCount(topic: "éclair", bin: 8, scores: 1, lowers: 0),
        ], "truncated, score 1.0 in the last bin")
        XCTAssertEqual(try store.confidenceBins(0, since: range.since, until: range.until).map(\.bin), [0, 0, 0, 0], "at least one bin")
    }

    func testQuestionsEventsAndCounters() throws {
        let keys = try StoreWorkload.write(into: store).answers
        let questions = try store.questions(since: range.since, until: range.until, limit: 3)
        XCTAssertEqual(questions.map(\.key), [keys[5], keys[4], keys[3]])
        XCTAssertEqual(questions.first, AskedQuestion(key: keys[5], text: "how do I reset my password?", topic: "éclair", decision: .answer,
                                                      createdAt: F.time(days: 7, hours: 3)))
        XCTAssertEqual(try store.answerEvents(after: keys[1], limit: 2),
                       [AnswerEvent(key: keys[2], decision: .answer, score: 1.0), AnswerEvent(key: keys[3], decision: .answer, score: 0.05)])
        let outcomes = try store.outcomeEvents(after: 0, limit: 10)
        XCTAssertEqual(outcomes.map(\.kind), [.resolved, .csat, .reopened, .corrected])
        XCTAssertEqual(try store.outcomeEvents(after: outcomes[1].sequence, limit: 1).map(\.kind), [.reopened])

        let counters = try store.counters()
        XCTAssertEqual(counters.asks, 6)
        XCTAssertEqual(counters.answered, 4)
        XCTAssertEqual(counters.escalated, 2)
        XCTAssertEqual(counters.scoreSum, 0.8 + 0.3 + 1.0 + 0.05 + 0.45 + 0.8, accuracy: 1e-9)
        XCTAssertEqual(counters.scoreBuckets, [1, 0, 1, 0, 1, 0, 0, 2, 0, 1, 0])
        XCTAssertEqual(counters.outcomes, [.resolved: 1, .csat: 1, .reopened: 1, .corrected: 1])
        XCTAssertEqual(counters.outboxPending, 0)
    }

    func testTopicModesFiguresResolutionAndBaseline() throws {
        let keys = try StoreWorkload.write(into: store).answers
        XCTAssertEqual(try store.topicModes(), ["billing": .live, "Shipping": .off])
        XCTAssertEqual(try store.topicModeChanges(), [
            TopicModeChange(topic: "billing", mode: .shadow, changedAt: F.time(days: 3)),
            TopicModeChange(topic: "Shipping", mode: .off, changedAt: F.time(days: 4)),
            TopicModeChange(topic: "billing", mode: .live, changedAt: F.time(days: 5)),
        ])
        XCTAssertEqual(try store.judgedCountsByTopic(), ["billing": 2, "Shipping": 1, "éclair": 1])
        XCTAssertEqual(try store.topicFigures(), [
            "billing": TopicFigures(answered: 1, right: 1, escalated: 1, wouldAnswer: 1, wouldBeRight: 1),
            "Shipping": TopicFigures(answered: 1, wrong: 1),
            "éclair": TopicFigures(answered: 1, wrong: 1),
        ])
        XCTAssertEqual(try store.firstLiveAnswerAt(), F.time(hours: 1))
        XCTAssertEqual(try store.resolutionSeconds(since: range.since, until: range.until), ["billing": [7200]])
        XCTAssertEqual(try store.resolutionSeconds(since: F.time(days: 1), until: range.until), [:])
        XCTAssertEqual(keys.count, 6)

        let baseline = try XCTUnwrap(try store.rolloutBaseline())
        XCTAssertEqual(baseline.source, "freshdesk", "a second import replaces the first whole")
        XCTAssertEqual(baseline.importedAt, F.time(days: 1))
        XCTAssertEqual(baseline.firstTicketAt, F.time(days: -30))
        XCTAssertEqual(baseline.lastTicketAt, F.time(days: -1))
        XCTAssertEqual(baseline.topics.map(\.topic), ["éclair", "Shipping", "billing"], "busiest first, then by bytes")
        XCTAssertEqual(baseline.topics.last, BaselineTopic(topic: "billing", tickets: 40, solved: 30, resolved: 25, reopened: 2, csatCount: 10,
                                                           csatSatisfied: 8, medianFirstReplySeconds: 600, medianResolutionSeconds: 7200))
        XCTAssertNil(baseline.topics.first?.medianFirstReplySeconds)
    }

    func testAnEmptyStoreReadsAsEmpty() throws {
        XCTAssertNil(try store.rolloutBaseline())
        XCTAssertNil(try store.firstLiveAnswerAt())
        XCTAssertEqual(try store.topicFigures(), [:])
        XCTAssertEqual(try store.tallies(by: .week, since: range.since, until: range.until), [])
        XCTAssertEqual(try store.counters(), StoreCounters())
        XCTAssertEqual(try store.learnedItems(kind: nil, since: nil, limit: 10), [])
        XCTAssertEqual(try store.articleCount(), 0)
    }
}

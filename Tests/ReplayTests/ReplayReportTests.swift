import Foundation
@testable import Replay
import Support
import XCTest

/// ReplayRates.swift, ReplayReport.swift and its JSON and Markdown: the maths on hand-made records.
final class ReplayReportTests: XCTestCase {
    private func record(_ day: Int, _ label: String, _ decision: Decision, right: Bool = false, answerable: Bool = true) -> ReplayRecord {
        ReplayRecord(index: 0, day: day, label: label, inScope: label != "oos", decision: decision,
                     articleID: decision == .answer ? "x" : nil, right: right, answerable: answerable)
    }

    func testRatesCountTheirDenominators() {
        let rates = ReplayRates([
            record(0, "a", .answer, right: true), record(0, "a", .answer, right: true), record(0, "a", .answer),
            record(0, "b", .escalate, answerable: false), record(0, "oos", .answer), record(0, "oos", .escalate),
        ])
        XCTAssertEqual(rates.resolutionRate, 2.0 / 4)            // 2 right of 4 in scope
        XCTAssertEqual(rates.wrongAnswerRate, 2.0 / 4)           // 1 wrong in scope + 1 oos answered, of 4 answered
        XCTAssertEqual(rates.escalationRate, 2.0 / 6)
        XCTAssertEqual(rates.outOfScopeAnsweredRate, 1.0 / 2)
        XCTAssertEqual(rates.oracleResolutionRate, 3.0 / 4)
        let empty = ReplayRates([ReplayRecord]())
        XCTAssertNil(empty.resolutionRate)
        XCTAssertNil(empty.wrongAnswerRate)
    }

    func testSummaryCoversTheLast30DaysAndWeeksSplitTheRun() throws {
        // Days 0–39 all escalated; days 40–69 (the last 30 of 70): 3 of 4 right, baseline 1 of 4.
        var learning: [ReplayRecord] = (0..<40).map { record($0, "a", .escalate) }
        var baseline = learning
        for day in 40..<70 {
            learning += [record(day, "a", .answer, right: true), record(day, "a", .answer, right: true),
                         record(day, "a", .answer, right: true), record(day, "a", .escalate)]
            baseline += [record(day, "a", .answer, right: true), record(day, "a", .answer),
                         record(day, "a", .escalate), record(day, "a", .escalate)]
        }
        let report = ReplayReport(ReplayResult(days: 70, learning: learning, baseline: baseline))
        XCTAssertEqual(report.summary.fromDay, 40)
        XCTAssertEqual(report.summary.toDay, 69)
        XCTAssertEqual(report.summary.learning.resolutionRate, 0.75)
        XCTAssertEqual(report.summary.learning.wrongAnswerRate, 0)
        XCTAssertEqual(report.summary.baseline?.resolutionRate, 0.25)
        XCTAssertEqual(report.summary.baseline?.wrongAnswerRate, 0.5)
        XCTAssertEqual(report.weeks.count, 10)
        XCTAssertEqual(report.weeks[0].learning.tickets, 7)
        XCTAssertEqual(report.weeks[0].learning.escalationRate, 1)
        XCTAssertEqual(report.weeks[5].fromDay, 35)
        // Week 6 is days 35–41: 5 escalated days then 2 days of 4 tickets.
        XCTAssertEqual(report.weeks[5].learning.tickets, 5 + 8)
        XCTAssertEqual(report.weeks[5].learning.rightAnswers, 6)
        XCTAssertEqual(report.weeks[9].toDay, 69)

        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        XCTAssertEqual(summary["resolution_rate"] as? Double, 0.75)
        XCTAssertEqual(summary["baseline_resolution_rate"] as? Double, 0.25)
        XCTAssertEqual(summary["baseline_wrong_answer_rate"] as? Double, 0.5)
        XCTAssertEqual(summary["oracle_resolution_rate"] as? Double, 1)
        XCTAssertNil(summary["oos_answered_rate"] as? Double, "no out-of-scope tickets: unknown, not 0")
        for key in ["escalation_rate", "wrong_answer_rate", "oos_answered_rate", "gap_detection_median_questions"] {
            XCTAssertTrue(summary.keys.contains(key), key)
        }
        XCTAssertTrue(summary["gap_detection_median_questions"] is NSNull)
        let weeks = json["weeks"] as! [[String: Any]]
        XCTAssertEqual(weeks.count, 10)
        XCTAssertTrue(weeks[0]["gap_detection_latency"] is NSNull)
        XCTAssertTrue(weeks[0]["gap_detection_precision"] is NSNull)
        XCTAssertEqual(weeks[9]["resolution_rate"] as? Double, 0.75)

        let markdown = report.markdown()
        XCTAssertTrue(markdown.contains("| autonomous resolution (of in-scope) | 75.0 % | 25.0 % | 100.0 % |"), markdown)
        XCTAssertTrue(markdown.contains("| 10 | 63–69 |"), markdown)
    }

    func testReleasedLabelsAreReportedApartFromTheRest() throws {
        let release = LabelRelease(label: "new", day: 7, article: ReplayArticle(id: "n", title: "N", body: "", label: "new"),
                                   publishesArticle: false)
        let learning = [record(7, "new", .escalate, answerable: false), record(8, "new", .answer, right: true),
                        record(8, "old", .answer, right: true), record(9, "old", .answer, right: true)]
        let report = ReplayReport(ReplayResult(days: 14, learning: learning, baseline: nil, releases: [release],
                                               articlesWritten: [0: "new"], questionsBeforeGapFlag: ["new": 3]))
        XCTAssertEqual(report.weeks[1].released?.resolutionRate, 0.5)
        XCTAssertEqual(report.weeks[1].others?.resolutionRate, 1)
        XCTAssertEqual(report.weeks[1].learning.oracleResolutionRate, 0.75)
        XCTAssertEqual(report.releasedLabels.first?.articleWrittenAtTicket, 0)
        XCTAssertEqual(report.summary.gapDetectionMedianQuestions, 3)
        XCTAssertNil(report.summary.baseline)
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as! [String: Any]
        let labels = json["released_labels"] as! [[String: Any]]
        XCTAssertEqual(labels.first?["label"] as? String, "new")
        XCTAssertEqual(labels.first?["questions_before_gap_flag"] as? Int, 3)
        XCTAssertTrue((json["summary"] as! [String: Any])["baseline_resolution_rate"] is NSNull)
    }

    /// The released topics' two weeks count tickets citing an article that arrived during the run,
    /// from its arrival; a new product's question answered under an old article counts only for its label.
    func testReleasedTopicsCountTicketsCitingArticlesThatArrived() throws {
        func citing(_ article: String, day: Int, label: String, _ decision: Decision, right: Bool) -> ReplayRecord {
            ReplayRecord(index: 0, day: day, label: label, inScope: true, decision: decision, articleID: article,
                         right: right, answerable: true)
        }
        let release = LabelRelease(label: "new", day: 3, article: ReplayArticle(id: "n", title: "N", body: "", label: "new"),
                                   publishesArticle: false)
        let learning = [
            citing("old", day: 3, label: "new", .answer, right: false),      // the label's, not the new topic's
            citing("agent-9", day: 5, label: "new", .answer, right: true),   // arrival day
            citing("agent-9", day: 6, label: "other", .answer, right: false),
            citing("agent-9", day: 7, label: "new", .escalate, right: false),
            citing("agent-9", day: 19, label: "new", .answer, right: true),  // day 14 after arrival: outside
            citing("old", day: 8, label: "old", .answer, right: true),
        ]
        let report = ReplayReport(ReplayResult(days: 21, learning: learning, baseline: nil, releases: [release],
                                               articleArrivals: ["agent-9": 5]))
        let topics = try XCTUnwrap(report.releasedTopicsFirstTwoWeeks)
        XCTAssertEqual(topics.tickets, 3)
        XCTAssertEqual(topics.answered, 2)
        XCTAssertEqual(topics.wrongAnswers, 1)
        let labels = try XCTUnwrap(report.releasedFirstTwoWeeks)
        XCTAssertEqual(labels.tickets, 3)
        XCTAssertEqual(labels.wrongAnswers, 1)
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as! [String: Any]
        let twoWeeks = try XCTUnwrap(json["released_topics_first_two_weeks"] as? [String: Any])
        XCTAssertEqual(twoWeeks["wrong_answer_rate"] as? Double, 0.5)
        XCTAssertNil(ReplayReport(ReplayResult(days: 21, learning: learning, baseline: nil)).releasedTopicsFirstTwoWeeks,
                     "no article arrived: no figure")
    }

    /// The frontier: each target's run counted over the summary window, in the JSON and the Markdown.
    func testTheFrontierCountsEachTargetsRunOverTheSummaryWindow() throws {
        let strict = [record(0, "a", .answer, right: true), record(20, "a", .escalate), record(20, "a", .answer, right: true)]
        let lax = [record(20, "a", .answer, right: true), record(20, "a", .answer), record(21, "a", .answer, right: true),
                   record(21, "a", .answer, right: true)]
        var result = ReplayResult(days: 40, learning: strict, baseline: nil)
        result.frontier = [ReplayFrontierRun(target: 0.005, learning: strict), ReplayFrontierRun(target: 0.03, learning: lax)]
        let report = ReplayReport(result)   // the summary window: days 10–39
        XCTAssertEqual(report.frontier.map(\.target), [0.005, 0.03])
        XCTAssertEqual(report.frontier[0].rates.resolutionRate, 0.5, "day 0 is outside the window")
        XCTAssertEqual(report.frontier[1].rates.resolutionRate, 0.75)
        XCTAssertEqual(report.frontier[1].rates.wrongAnswerRate, 0.25)
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as! [String: Any]
        let points = try XCTUnwrap(json["frontier"] as? [[String: Any]])
        XCTAssertEqual(points.map { $0["target"] as? Double }, [0.005, 0.03])
        XCTAssertEqual(points[1]["wrong_answers"] as? Int, 1)
        XCTAssertTrue(report.markdown().contains("| 3.0 % | 75.0 % | 25.0 % |"), report.markdown())
        XCTAssertTrue(ReplayHTML.page(report).contains("<tr><td>3.0 %</td><td>75.0 %</td><td>25.0 %</td>"))
        XCTAssertFalse(ReplayHTML.page(ReplayReport(ReplayResult(days: 40, learning: strict, baseline: nil))).contains("wrong-answer target"))
        let none = try JSONSerialization.jsonObject(with: ReplayReport(ReplayResult(days: 40, learning: strict, baseline: nil)).jsonData())
        XCTAssertTrue((none as! [String: Any])["frontier"] is NSNull, "no --frontier: null")
    }

    func testMedian() {
        XCTAssertNil(ReplayReport.median([]))
        XCTAssertEqual(ReplayReport.median([5, 1, 3]), 3)
        XCTAssertEqual(ReplayReport.median([4, 1, 3, 10]), 3.5)
    }
}

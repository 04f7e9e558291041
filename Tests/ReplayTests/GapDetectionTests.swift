import Foundation
@testable import Replay
import Support
import XCTest

/// GapDetection.swift: flags, questions before flag, precision, on hand-made gaps.
final class GapDetectionTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_735_689_600)

    /// Nine tickets: `new` has no article until ticket 5, `old` always has one, `oos` never.
    private let records: [ReplayRecord] = [
        (0, "new", false), (0, "old", true), (1, "new", false), (1, "oos", false), (2, "new", false),
        (8, "new", true), (8, "oos", false), (8, "oos", false), (9, "oos", false),
    ].enumerated().map { i, t in
        ReplayRecord(index: i, day: t.0, label: t.1, inScope: t.1 != "oos", decision: .escalate, articleID: nil, right: false,
                     answerable: t.2)
    }

    private var askedAt: [Date] {
        records.map { start.addingTimeInterval(Double($0.day) * 86_400 + Double($0.index) * 10) }
    }

    /// Answer key of ticket i is 100 + i.
    private func gap(_ id: Int64, _ positions: [Int]) -> GapDetection.ObservedGap {
        GapDetection.ObservedGap(id: id, questions: positions.map { .init(answerKey: Int64(100 + $0), at: askedAt[$0]) })
    }

    private func detection(_ gaps: [GapDetection.ObservedGap]) -> GapDetection {
        GapDetection(gaps: gaps, records: records, askedAt: askedAt,
                     ticketByAnswerKey: Dictionary(uniqueKeysWithValues: records.indices.map { (Int64(100 + $0), $0) }),
                     startDate: start)
    }

    func testALabelIsFlaggedWhenItsGapReachesThreeQuestionsAndTheMajorityIsIt() {
        // Gap 1: new, old, new (flagged at ticket 2: new 2 of 3), then new. Gap 2: four oos. Gap 3: one question.
        let d = detection([gap(1, [0, 1, 2, 4]), gap(2, [3, 6, 7, 8]), gap(3, [5])])
        XCTAssertEqual(d.labels, [GapDetection.LabelFlag(label: "new", firstUnansweredDay: 0, questionsBeforeFlag: 2, flaggedDay: 1)],
                       "only `new` ever lacked an article; two of its questions had come when its gap reached three")
        XCTAssertEqual(d.gapsFlagged, 2)
        XCTAssertEqual(d.outOfScopeGaps, 1)
        XCTAssertEqual(d.medianQuestionsBeforeFlag(), 2)
        // Week 1 reports tickets 0, 1, 2 (at ticket 2) and 4: `old` had its article, the rest had none.
        XCTAssertEqual(d.reported.filter { $0.day < 7 }.count, 4)
        XCTAssertEqual(d.precision(days: 0...6), 0.75)
        // Week 2 reports the out-of-scope gap: tickets 3, 6, 7 at ticket 7, then 8.
        XCTAssertEqual(d.precision(days: 7...13), 1)
        XCTAssertNil(d.precision(days: 14...20))
    }

    func testAnOutOfScopeMajorityFlagsNoLabelAndSmallGapsFlagNothing() {
        // oos, new, oos: the majority is out of scope. Then two small gaps.
        let d = detection([gap(1, [2, 3, 6]), gap(2, [0, 4]), gap(3, [5])])
        XCTAssertEqual(d.labels.map(\.label), ["new"])
        XCTAssertNil(d.labels[0].questionsBeforeFlag)
        XCTAssertNil(d.medianQuestionsBeforeFlag(), "the only tracked label was never flagged")
        XCTAssertEqual(d.outOfScopeGaps, 1)
        XCTAssertEqual(d.reported.count, 3)
    }

    func testATieGoesToTheLabelThatJoinedFirst() {
        // new, old, oos: one each; `new` joined first and is flagged at the third question (ticket 3),
        // by when two `new` questions had been asked (tickets 0 and 2; the second is in no gap).
        let d = detection([gap(1, [0, 1, 3])])
        XCTAssertEqual(d.labels.first?.questionsBeforeFlag, 2)
        XCTAssertEqual(d.outOfScopeGaps, 0)
    }

    func testMedianCountsNeverFlaggedAsInfinite() {
        XCTAssertNil(GapDetection.median([]))
        XCTAssertEqual(GapDetection.median([3, nil, 1]), 3)
        XCTAssertNil(GapDetection.median([1, nil, nil]))
        XCTAssertEqual(GapDetection.median([4, 2]), 3)
        XCTAssertNil(GapDetection.median([2, nil]))
    }

    func testTheReportFillsTheGapFields() throws {
        let d = detection([gap(1, [0, 1, 2, 4]), gap(2, [3, 6, 7, 8])])
        let result = ReplayResult(days: 14, learning: records, baseline: nil, gapDetection: d)
        let report = ReplayReport(result, summaryDays: 7)
        XCTAssertEqual(report.summary.gapDetectionMedianQuestions, 2)
        XCTAssertEqual(report.summary.gapDetectionPrecision, 1, "days 7–13 report only out-of-scope questions")
        XCTAssertEqual(report.summary.gapLabelsFlaggedWithin10, 1)
        XCTAssertEqual(report.weeks[0].gapDetectionLatency, 2)
        XCTAssertEqual(report.weeks[0].gapDetectionPrecision, 0.75)
        XCTAssertNil(report.weeks[1].gapDetectionLatency, "no label lost its article in week 2")
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        XCTAssertEqual(summary["gap_detection_median_questions"] as? Double, 2)
        XCTAssertEqual(summary["gap_detection_oos_gaps_flagged"] as? Int, 1)
        XCTAssertEqual((json["weeks"] as! [[String: Any]])[0]["gap_detection_precision"] as? Double, 0.75)
        XCTAssertEqual((json["gap_labels"] as! [[String: Any]]).first?["questions_before_gap_flag"] as? Int, 2)
        XCTAssertTrue(report.markdown().contains("| gap detection, precision | 100.0 % |"), report.markdown())
    }
}

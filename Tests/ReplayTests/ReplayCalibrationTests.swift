import Foundation
@testable import Replay
import Support
import XCTest

/// ReplayCalibration.swift: bins, the expected calibration error and the AUCs on hand-made records.
final class ReplayCalibrationTests: XCTestCase {
    private func scored(_ score: Double, lower: Double? = nil, right: Bool, article: String? = "a",
                        decision: Decision = .escalate) -> ReplayRecord {
        ReplayRecord(index: 0, day: 0, label: "l", inScope: true, decision: decision, articleID: article,
                     right: decision == .answer && right, score: score, lower: lower ?? score, answerable: true,
                     candidateRight: right)
    }

    func testBinsSplitScoresByTenthsAndCountTheCandidateWhateverWasDecided() {
        let c = ReplayCalibration([
            scored(0.05, right: false), scored(0.15, right: true),
            scored(0.92, right: true, decision: .answer), scored(0.98, right: true), scored(1.0, right: false),
            scored(0.5, right: true, article: nil), // no candidate: not scored
        ])
        XCTAssertEqual(c.questions, 5)
        XCTAssertEqual(c.right, 3, "an escalated question's suggested candidate counts as right when it was")
        XCTAssertEqual(c.bins.count, 10)
        XCTAssertEqual(c.bins.map(\.questions), [1, 1, 0, 0, 0, 0, 0, 0, 0, 3], "a score of 1 falls in the last bin")
        XCTAssertEqual(c.bins[9].meanScore!, (0.92 + 0.98 + 1.0) / 3, accuracy: 1e-12)
        XCTAssertEqual(c.bins[9].rightRate!, 2.0 / 3, accuracy: 1e-12)
        XCTAssertNil(c.bins[5].meanScore, "an empty bin has no mean, not 0")
        XCTAssertEqual(c.bins[3].from, 0.3, accuracy: 1e-12)
        XCTAssertEqual(c.bins[3].to, 0.4, accuracy: 1e-12)
    }

    func testExpectedCalibrationErrorIsTheWeightedGapBetweenScoreAndOutcome() {
        // Bin 0.2: 4 questions at 0.25, 1 right (0.25): calibrated. Bin 0.8: 4 at 0.8, all right: gap 0.2.
        let records = (0..<4).map { scored(0.25, right: $0 == 0) } + (0..<4).map { _ in scored(0.8, right: true) }
        let c = ReplayCalibration(records)
        XCTAssertEqual(c.expectedCalibrationError!, 0.5 * 0 + 0.5 * 0.2, accuracy: 1e-12)
        let perfect = ReplayCalibration((0..<10).map { scored(0.95, right: $0 != 0) } + (0..<10).map { scored(0.05, right: $0 == 0) })
        XCTAssertEqual(perfect.expectedCalibrationError!, 0.05, accuracy: 1e-12, "0.95 predicted, 0.9 observed; 0.05 and 0.1")
        XCTAssertNil(ReplayCalibration([ReplayRecord]()).expectedCalibrationError)
    }

    func testAUCIsTheChanceARightCandidateOutscoresAWrongOne() {
        let separated = ReplayCalibration([scored(0.9, right: true), scored(0.8, right: true), scored(0.3, right: false)])
        XCTAssertEqual(separated.scoreAUC, 1)
        let reversed = ReplayCalibration([scored(0.1, right: true), scored(0.8, right: false)])
        XCTAssertEqual(reversed.scoreAUC, 0)
        // Positives 0.9, 0.5; negatives 0.5, 0.2: pairs (0.9>0.5) (0.9>0.2) (0.5=0.5 half) (0.5>0.2) = 3.5 / 4.
        let tied = ReplayCalibration([scored(0.9, right: true), scored(0.5, right: true), scored(0.5, right: false),
                                      scored(0.2, right: false)])
        XCTAssertEqual(tied.scoreAUC!, 3.5 / 4, accuracy: 1e-12)
        XCTAssertNil(ReplayCalibration([scored(0.9, right: true)]).scoreAUC, "no wrong candidate: no AUC")
    }

    func testTheLowerBoundHasItsOwnAUC() {
        // The mean ranks the right one first; the lower bound (a wide interval) does not.
        let c = ReplayCalibration([scored(0.9, lower: 0.2, right: true), scored(0.6, lower: 0.5, right: false)])
        XCTAssertEqual(c.scoreAUC, 1)
        XCTAssertEqual(c.lowerAUC, 0)
    }

    func testTheReportCalibratesTheSummaryWindowOnlyAndWritesItsKeys() throws {
        let early = (0..<5).map { _ in ReplayRecord(index: 0, day: 0, label: "l", inScope: true, decision: .escalate, articleID: "a",
                                                    right: false, score: 0.9, answerable: true, candidateRight: false) }
        let late = (0..<5).map { _ in ReplayRecord(index: 0, day: 40, label: "l", inScope: true, decision: .answer, articleID: "a",
                                                   right: true, score: 0.9, answerable: true) }
        let report = ReplayReport(ReplayResult(days: 70, learning: early + late, baseline: nil))
        XCTAssertEqual(report.calibration.questions, 5, "days 40–69 only")
        XCTAssertEqual(report.calibration.right, 5, "candidateRight defaults to right")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        let calibration = try XCTUnwrap(json["calibration"] as? [String: Any])
        XCTAssertEqual(Set(calibration.keys), ["questions", "right", "expected_calibration_error", "score_auc", "lower_auc", "bins"])
        XCTAssertEqual((calibration["bins"] as? [Any])?.count, 10)
        XCTAssertTrue(report.markdown().contains("| 0.9–1.0 | 5 | 90.0 % | 100.0 % |"))
    }
}

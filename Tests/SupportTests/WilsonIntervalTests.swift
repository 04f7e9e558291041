@testable import Support
import XCTest

/// The interval every roll-out rate carries (Rollout/WilsonInterval.swift), against values
/// worked by hand from the Wilson score formula at z = 1.96.
final class WilsonIntervalTests: XCTestCase {
    func testNoWrongAnswerInTenStillLeavesAnUpperBoundNearTwentyEightPercent() {
        let interval = WilsonInterval(0, of: 10)
        XCTAssertEqual(interval.lower, 0, accuracy: 1e-12)
        XCTAssertEqual(interval.upper, 3.8416 / 13.8416, accuracy: 1e-9)   // z² / (n + z²) when p = 0
    }

    func testHalfOfTenIsSymmetricAroundAHalf() {
        let interval = WilsonInterval(5, of: 10)
        XCTAssertEqual(interval.lower, 0.2366, accuracy: 0.0001)
        XCTAssertEqual(interval.upper, 0.7634, accuracy: 0.0001)
    }

    func testAllOfThemReachesOneAndNothingKnownIsTheWholeRange() {
        XCTAssertEqual(WilsonInterval(20, of: 20).upper, 1, accuracy: 1e-12)
        XCTAssertEqual(WilsonInterval(20, of: 20).lower, 20 / 23.8416, accuracy: 1e-9)
        XCTAssertEqual(WilsonInterval(0, of: 0), WilsonInterval(0, of: 0))
        XCTAssertEqual(WilsonInterval(0, of: 0).lower, 0)
        XCTAssertEqual(WilsonInterval(0, of: 0).upper, 1)
    }

    func testItNarrowsWithMoreEvidence() {
        let few = WilsonInterval(1, of: 50), many = WilsonInterval(20, of: 1000)
        XCTAssertLessThan(many.upper - many.lower, few.upper - few.lower)
        XCTAssertGreaterThan(few.upper, 0.02)
        XCTAssertLessThan(few.lower, 0.02)
    }
}

import Primitives
import XCTest

final class MonotonicTests: XCTestCase {
    func testNeverGoesBackAndMeasuresSleeps() {
        let start = Monotonic.now()
        var previous = start
        for _ in 0..<1_000 {
            let now = Monotonic.now()
            XCTAssertGreaterThanOrEqual(now, previous)
            previous = now
        }
        usleep(20_000)
        let elapsed = Monotonic.seconds(since: start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.019)
        XCTAssertLessThan(elapsed, 5)
    }
}

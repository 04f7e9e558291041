@testable import Support
import Foundation
import XCTest

/// The store threads of the ask path: results and errors come back, and calls that block do not block one another up to the pool's size.
final class BlockingStoreCallsTests: XCTestCase {
    struct Deliberate: Error, Equatable {}

    func testResultsAndErrorsComeBack() async throws {
        let value = try await BlockingStoreCalls.shared.run { 6 * 7 }
        XCTAssertEqual(value, 42)
        do {
            _ = try await BlockingStoreCalls.shared.run { () throws -> Int in throw Deliberate() }
            XCTFail("the error was not passed on")
        } catch let error as Deliberate {
            XCTAssertEqual(error, Deliberate())
        }
    }

    func testBlockingCallsRunSideBySide() async throws {
        // Eight calls of 200 ms each: on one thread 1.6 s, side by side about 0.2 s.
        let start = Date()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask { try await BlockingStoreCalls.shared.run { usleep(200_000); return index } }
            }
            var seen = Set<Int>()
            for try await index in group { seen.insert(index) }
            XCTAssertEqual(seen, Set(0..<8))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.2, "the calls ran one after another")
    }
}

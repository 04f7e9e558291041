import Foundation
@testable import Support
import XCTest

/// AskQuery.swift's `conversationVector`: how a follow-up's earlier questions weigh in.
final class ConversationVectorTests: XCTestCase {
    private let q: [Float] = [1, 0, 0, 0], a: [Float] = [0, 1, 0, 0], b: [Float] = [0, 0, 1, 0]
    private let c: [Float] = [0, 0, 0, 1]

    private func unit(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }

    private func assertEqual(_ x: [Float], _ y: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.count, y.count, file: file, line: line)
        for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-6, file: file, line: line) }
    }

    func testEachEarlierQuestionWeighsHalfTheOneAfterIt() {
        // "still broken": 2 words, so the previous question counts fully, the one before half, then a quarter.
        let v = SupportService.conversationVector(q, earlier: [a, b, c], text: "still broken", decayed: true)
        assertEqual(v, unit([1, 1, 0.5, 0.25]))
    }

    func testALongerFollowUpLeansLessOnItsConversation() {
        let v = SupportService.conversationVector(q, earlier: [a, b], text: "refund order placed last week never arrived bank account", decayed: true)
        assertEqual(v, unit([1, 0.35, 0.175, 0]))
    }

    func testAtMostFourEarlierQuestionsCount() {
        let v = SupportService.conversationVector(q, earlier: [a, a, a, a, b], text: "why", decayed: true)
        assertEqual(v, unit([1, 1 + 0.5 + 0.25 + 0.125, 0, 0])) // the fifth question back is left out
        XCTAssertEqual(SupportService.conversationMemory, 4)
    }

    func testNotDecayedOnlyThePreviousQuestionCounts() {
        let v = SupportService.conversationVector(q, earlier: [a, b, c], text: "still broken", decayed: false)
        assertEqual(v, unit([1, 1, 0, 0]))
    }

    func testNoConversationOrVectorsOfAnotherSizeLeaveTheQuestionAlone() {
        assertEqual(SupportService.conversationVector(q, earlier: [], text: "hi", decayed: true), q)
        assertEqual(SupportService.conversationVector(q, earlier: [[1, 0]], text: "hi", decayed: true), q)
    }
}

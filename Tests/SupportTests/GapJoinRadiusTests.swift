import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// GapMath.joinRadius and its use by GapTracker: a small cluster takes questions from farther
/// away than a large one, so a new product's first, scattered questions find each other.
final class GapJoinRadiusTests: XCTestCase {
    func testTheJoinRadiusNarrowsTowardTheRadiusAsTheClusterGrows() {
        let radius = 0.45
        XCTAssertEqual(GapMath.joinRadius(radius, count: 1), 1 - 0.55 * 0.55, accuracy: 1e-12,
                       "a lone question: two questions of one topic are at about s² from each other")
        var previous = 1.0
        for n in [1, 2, 3, 5, 10, 50, 1000] {
            let r = GapMath.joinRadius(radius, count: n)
            XCTAssertLessThan(r, previous, "narrower at \(n)")
            XCTAssertGreaterThan(r, radius, "never tighter than the radius itself")
            previous = r
        }
        XCTAssertEqual(GapMath.joinRadius(radius, count: 1_000_000), radius, accuracy: 1e-4)
        XCTAssertEqual(GapMath.joinRadius(radius, count: 0), GapMath.joinRadius(radius, count: 1), "an empty count is one")
        XCTAssertEqual(GapMath.joinRadius(1, count: 5), 1, "a radius of 1 takes everything")
    }

    /// Orthonormal directions in the embedder's space (Gram–Schmidt over a few embedded texts).
    private func directions(_ count: Int) -> [[Float]] {
        var basis: [[Float]] = []
        for i in 0..<count {
            var v = TestEmbedder.shared.embed("direction \(i) printer network invoice refund \(i * 7)").map(Double.init)
            for b in basis {
                let dot = zip(v, b).reduce(0) { $0 + $1.0 * Double($1.1) }
                v = zip(v, b).map { $0 - dot * Double($1) }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(v.map { Float($0 / norm) })
        }
        return basis
    }

    private func mix(_ a: [Float], _ b: [Float], cos c: Float) -> [Float] {
        zip(a, b).map { c * $0 + (1 - c * c).squareRoot() * $1 }
    }

    func testTheTrackerJoinsALoneQuestionFartherOutThanABigGap() async throws {
        let harness = try GapHarness()
        let service = try await harness.service()
        let tracker = try XCTUnwrap(service.gaps)
        let d = directions(5)
        let first = try await tracker.observe(question: "first", vector: d[0], confidence: 0.2, answerKey: nil, kind: .gap, at: Date())
        // 0.55 away (cosine 0.45): beyond the radius, within a lone question's join radius (0.70).
        let second = try await tracker.observe(question: "second", vector: mix(d[0], d[1], cos: 0.45), confidence: 0.2,
                                               answerKey: nil, kind: .gap, at: Date())
        XCTAssertEqual(second.id, first.id, "two scattered questions of one new topic share a gap")
        XCTAssertEqual(second.count, 2)

        // A big gap along d[2]: 30 questions close to it.
        var big: GapRecord?
        for i in 0..<30 {
            big = try await tracker.observe(question: "big \(i)", vector: mix(d[2], d[3], cos: 0.999 - Float(i) * 0.0001),
                                            confidence: 0.2, answerKey: nil, kind: .gap, at: Date())
        }
        let bigGap = try XCTUnwrap(big)
        XCTAssertEqual(bigGap.count, 30)
        // 0.5 from its centroid: within a lone question's join radius (0.70), beyond a 30-question gap's (0.48).
        let outlier = try await tracker.observe(question: "outlier", vector: mix(d[2], d[4], cos: 0.5), confidence: 0.2,
                                                answerKey: nil, kind: .gap, at: Date())
        XCTAssertNotEqual(outlier.id, bigGap.id, "a big gap's centroid stands for its topic: the radius holds")
        XCTAssertEqual(outlier.count, 1)
        await service.close()
    }
}

import Ranking
import XCTest

/// FTRL.swift against McMahan et al.'s Algorithm 1, written out by hand.
final class FTRLTests: XCTestCase {
    var parameters: RankerConfiguration.FTRL {
        var p = RankerConfiguration.FTRL()
        p.alpha = 0.3; p.beta = 1; p.l1 = 0.05; p.l2 = 0.2
        return p
    }

    func testInitialWeightsArePlantedExactly() {
        let f = FTRLProximal(parameters: parameters, initialWeights: [-2, 4, 0, 0.5], l1Exempt: [0])
        XCTAssertEqual(f.weights[0], -2, accuracy: 1e-12)
        XCTAssertEqual(f.weights[1], 4, accuracy: 1e-12)
        XCTAssertEqual(f.weights[2], 0)
        XCTAssertEqual(f.weights[3], 0.5, accuracy: 1e-12)
        XCTAssertEqual(f.n, [0, 0, 0, 0])
    }

    func testOneStepMatchesThePaper() {
        let p = parameters
        var f = FTRLProximal(parameters: p, initialWeights: [0.3, -0.2, 0], l1Exempt: [])
        let x: [Float] = [1, 0.5, -0.25]
        let w0 = f.weights, z0 = f.z
        let prediction = 1 / (1 + exp(-(w0[0] * 1 + w0[1] * 0.5)))
        let (returned, touched) = x.withUnsafeBufferPointer { f.update($0, label: 1, weight: 2) }
        XCTAssertEqual(returned, prediction, accuracy: 1e-15)
        XCTAssertEqual(touched, 3)
        for i in 0..<3 {
            let g = 2 * (prediction - 1) * Double(x[i])
            let sigma = (g * g).squareRoot() / p.alpha
            let z = z0[i] + g - sigma * w0[i]
            let w = abs(z) <= p.l1 ? 0 : -(z - (z > 0 ? p.l1 : -p.l1)) / ((p.beta + (g * g).squareRoot()) / p.alpha + p.l2)
            XCTAssertEqual(f.z[i], z, accuracy: 1e-12)
            XCTAssertEqual(f.n[i], g * g, accuracy: 1e-15)
            XCTAssertEqual(f.weights[i], w, accuracy: 1e-12)
        }
    }

    func testL1KeepsSmallEvidenceAtExactlyZero() {
        var p = parameters
        p.l1 = 10
        var f = FTRLProximal(parameters: p, initialWeights: [0, 0], l1Exempt: [0])
        let x: [Float] = [1, 1]
        for _ in 0..<5 { x.withUnsafeBufferPointer { _ = f.update($0, label: 1, weight: 1) } }
        XCTAssertNotEqual(f.weights[0], 0, "the exempt coordinate learns")
        XCTAssertEqual(f.weights[1], 0, "|z| below λ₁ keeps the weight at exactly zero")
    }

    func testUndoWithNothingInBetweenRestoresBitForBit() {
        var f = FTRLProximal(parameters: parameters, initialWeights: [0.1, 2, -1, 0], l1Exempt: [0])
        let warm: [Float] = [1, 0.3, 0.6, -1]
        for i in 0..<50 { warm.withUnsafeBufferPointer { _ = f.update($0, label: Double(i % 2), weight: 1) } }
        let before = f
        var undo = FTRLUndo()
        let x: [Float] = [1, 0.7, 0, 0.2]
        x.withUnsafeBufferPointer { _ = f.update($0, label: 1, weight: 1, undo: &undo) }
        XCTAssertNotEqual(f, before)
        XCTAssertEqual(undo.coordinates, [0, 1, 3], "only non-zero features are stepped")
        f.undo(undo)
        XCTAssertEqual(f, before)
        XCTAssertEqual(f.z.map(\.bitPattern), before.z.map(\.bitPattern))
    }

    func testIterateVarianceShrinksWithEvidence() {
        var f = FTRLProximal(parameters: parameters, initialWeights: [0, 0], l1Exempt: [])
        XCTAssertEqual(f.iterateVariance[0], parameters.alpha / (2 * parameters.beta), accuracy: 1e-15)
        let x: [Float] = [1, 0]
        for _ in 0..<100 { x.withUnsafeBufferPointer { _ = f.update($0, label: 0, weight: 1) } }
        XCTAssertLessThan(f.iterateVariance[0], f.iterateVariance[1])
    }
}

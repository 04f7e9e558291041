import CSupport
import Foundation
import XCTest
@testable import Embedding

/// ElementwiseKernels.swift against plain double-precision formulas.
final class ElementwiseKernelsTests: XCTestCase {
    typealias K = ElementwiseKernels

    func testExpIsAccurateAcrossItsRange() {
        var x: Float = -87
        var worst: Double = 0
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(ld_exp_f32(x)) - exact) / exact)
            x += 0.0731
        }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(ld_exp_f32(-.infinity), 0, accuracy: 1e-37)
    }

    func testGELUMatchesTheErfDefinition() {
        var values = (-2000...2000).map { Float($0) * 0.005 } // 4001 values: vector body and ragged tail
        let inputs = values
        K.gelu(&values, count: values.count)
        var worst: Double = 0
        for (x, y) in zip(inputs, values) {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            worst = max(worst, abs(Double(y) - exact))
        }
        XCTAssertLessThan(worst, 1e-6)
    }

    func testBiasRowsThenGELUInPlace() {
        let columns = 21 // not a multiple of any vector width
        let bias = (0..<columns).map { Float($0) * 0.1 - 1 }
        var matrix = [Float](repeating: 7, count: 2 * columns)
        K.broadcastRows(bias, columns: columns, rows: 2, into: &matrix)
        XCTAssertEqual(matrix, bias + bias)
        K.gelu(&matrix, count: matrix.count)
        let expected = (bias + bias).map { value -> Float in
            let x = Double(value)
            return Float(0.5 * x * (1 + erf(x / 2.0.squareRoot())))
        }
        XCTAssertLessThan(maxDifference(matrix, expected), 1e-6)
    }

    func testAddLayerNormMatchesTheDefinition() {
        let rows = 3, columns = 40
        var residual = (0..<(rows * columns)).map { Float(sin(Double($0))) }
        let input = (0..<(rows * columns)).map { Float(cos(Double($0) * 0.7)) }
        let bias = (0..<columns).map { Float($0) * 0.02 }
        let gamma = (0..<columns).map { 1 + Float($0) * 0.01 }
        let beta = (0..<columns).map { Float($0) * -0.03 }
        var expected: [Float] = []
        for r in 0..<rows {
            let x = (0..<columns).map { Double(residual[r * columns + $0] + input[r * columns + $0] + bias[$0]) }
            let mean = x.reduce(0, +) / Double(columns)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(columns)
            expected += (0..<columns).map { Float((x[$0] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[$0]) + Double(beta[$0])) }
        }
        for index in residual.indices { residual[index] += input[index] } // what the β = 1 sgemm does
        K.addLayerNorm(residual: &residual, bias: bias, rows: rows, columns: columns,
                       gamma: gamma, beta: beta, epsilon: 1e-12)
        XCTAssertLessThan(maxDifference(residual, expected), 1e-5)
    }

    func testScaledSoftmaxRowsSumToOne() {
        for columns in [1, 5, 16, 37] {
            var matrix = (0..<(2 * columns)).map { Float($0 % 7) * 3 - 9 }
            let original = matrix
            K.scaledSoftmax(&matrix, rows: 2, columns: columns, scale: 0.5)
            for r in 0..<2 {
                let logits = (0..<columns).map { Double(original[r * columns + $0]) * 0.5 }
                let largest = logits.max()!
                let total = logits.map { Foundation.exp($0 - largest) }.reduce(0, +)
                for c in 0..<columns {
                    XCTAssertEqual(Double(matrix[r * columns + c]), Foundation.exp(logits[c] - largest) / total, accuracy: 1e-6)
                }
            }
        }
    }

    func testMeanPoolNormalisedIsUnitLength() {
        let rows = [Float](repeating: 0, count: 8) + [1, 2, 3, 4, 5, 6, 7, 8]
        var output = [Float](repeating: 9, count: 8)
        K.meanPoolNormalised(rows, rows: 2, columns: 8, into: &output)
        let norm = output.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(norm, 1, accuracy: 1e-6)
        var zero = [Float](repeating: 9, count: 4)
        K.meanPoolNormalised([Float](repeating: 0, count: 4), rows: 1, columns: 4, into: &zero)
        XCTAssertEqual(zero, [0, 0, 0, 0], "a zero mean stays zero, not NaN")
    }
}

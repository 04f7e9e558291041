import CSupport
import XCTest
@testable import Embedding

/// packed_gemm.c — every instruction-set level this CPU runs — against a plain
/// double-precision loop: ragged rows (the 6-row tiles' remainders), ragged columns
/// (a part panel, masked or done portably), column ranges, accumulate and overwrite.
final class PackedWeightTests: XCTestCase {
    private var generator = SystemRandomNumberGenerator()

    private func randomMatrix(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    /// The levels to check: the portable one always, AVX2 and AVX-512 where this CPU has them.
    private var levels: [ld_isa] {
        [LD_ISA_PORTABLE, LD_ISA_AVX2, LD_ISA_AVX512].filter { ld_kernels_for($0) != nil }
    }

    /// Packs a k×n `b`, multiplies `a` (m×k) into `c` (m×ldc, columns `range`) with `isa`,
    /// and returns C; compares each element with a double-precision loop.
    private func check(isa: ld_isa, m: Int, k: Int, n: Int, range: Range<Int>, accumulate: Bool,
                       file: StaticString = #filePath, line: UInt = #line) {
        let a = randomMatrix(m * k), b = randomMatrix(k * n)
        let ldc = n + 3 // C wider than B: the product must stay inside its columns
        let initial = randomMatrix(m * ldc)
        var packed = [Float](repeating: .nan, count: PackedWeight.floats(rows: k, columns: n))
        packed.withUnsafeMutableBufferPointer { ld_pack_columns_f32(b, k, n, n, $0.baseAddress!) }
        var c = initial
        let ran = ld_gemm_packed_f32_isa(isa, m, k, a, k, packed, range.lowerBound, range.upperBound, &c, ldc, accumulate ? 1 : 0)
        XCTAssertEqual(ran, 1, "level \(isa.rawValue) is available but did not run", file: file, line: line)
        var worst = 0.0
        for row in 0..<m {
            for column in 0..<ldc {
                let got = Double(c[row * ldc + column])
                guard range.contains(column) else {
                    XCTAssertEqual(c[row * ldc + column], initial[row * ldc + column],
                                   "level \(isa.rawValue) wrote column \(column) outside \(range)", file: file, line: line)
                    continue
                }
                var expected = accumulate ? Double(initial[row * ldc + column]) : 0
                for inner in 0..<k { expected += Double(a[row * k + inner]) * Double(b[inner * n + column]) }
                worst = max(worst, abs(got - expected))
            }
        }
        XCTAssertLessThan(worst, 1e-4 * Double(k).squareRoot(),
                          "level \(isa.rawValue), m \(m) k \(k) n \(n) \(range)", file: file, line: line)
    }

    func testEveryLevelMatchesAPlainLoopOnRaggedShapes() {
        for isa in levels {
            for m in [1, 5, 6, 7, 13] {
                check(isa: isa, m: m, k: 37, n: 200, range: 0..<200, accumulate: true)
                check(isa: isa, m: m, k: 37, n: 200, range: 0..<200, accumulate: false)
            }
            check(isa: isa, m: 12, k: 384, n: 384, range: 0..<384, accumulate: true)
            check(isa: isa, m: 3, k: 9, n: 24, range: 0..<24, accumulate: true) // less than one 16-wide register row
        }
    }

    func testAColumnRangeComputesOnlyItsColumns() {
        for isa in levels {
            check(isa: isa, m: 7, k: 20, n: 200, range: 64..<200, accumulate: true)
            check(isa: isa, m: 7, k: 20, n: 200, range: 128..<136, accumulate: false)
            check(isa: isa, m: 2, k: 20, n: 256, range: 0..<128, accumulate: true)
        }
    }

    func testPackingPadsThePartPanelWithZeros() {
        let k = 3, n = 70
        let b = randomMatrix(k * n)
        var packed = [Float](repeating: .nan, count: PackedWeight.floats(rows: k, columns: n))
        XCTAssertEqual(packed.count, 2 * 64 * k)
        packed.withUnsafeMutableBufferPointer { ld_pack_columns_f32(b, k, n, n, $0.baseAddress!) }
        for row in 0..<k {
            XCTAssertEqual(Array(packed[(row * 64)..<(row * 64 + 64)]), Array(b[(row * n)..<(row * n + 64)]))
            let second = 64 * k + row * 64
            XCTAssertEqual(Array(packed[second..<(second + 6)]), Array(b[(row * n + 64)..<(row * n + 70)]))
            XCTAssertEqual(Array(packed[(second + 6)..<(second + 64)]), [Float](repeating: 0, count: 58))
        }
    }

    func testTheWrapperUsesTheBestLevel() {
        let k = 16, n = 64, m = 4
        let a = randomMatrix(m * k), b = randomMatrix(k * n)
        var packed = [Float](repeating: 0, count: PackedWeight.floats(rows: k, columns: n))
        let weight = packed.withUnsafeMutableBufferPointer { PackedWeight(packing: b, rows: k, columns: n, into: $0.baseAddress!) }
        var viaWrapper = [Float](repeating: 1, count: m * n), viaBest = viaWrapper
        packed.withUnsafeBufferPointer { _ in
            weight.multiply(a, rows: m, lda: k, into: &viaWrapper, ldc: n, columns: 0..<n, accumulate: true)
        }
        _ = ld_gemm_packed_f32_isa(ld_kernels_best().pointee.isa, m, k, a, k, packed, 0, n, &viaBest, n, 1)
        XCTAssertEqual(viaWrapper, viaBest)
    }
}

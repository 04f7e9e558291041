import CSupport
import XCTest
import VectorIndex

/// Every kernel on every dispatch path this machine supports equals a naive loop.
final class KernelTests: XCTestCase {
    func testEveryAvailableKernelMatchesNaiveLoop() {
        let tables = Kernels.available
        XCTAssertGreaterThanOrEqual(tables.count, 1)
        XCTAssertEqual(tables.first?.name, "portable")
        var rng = TestRNG(seed: 7)
        for n in [1, 3, 7, 15, 16, 17, 31, 32, 33, 100, 128, 384, 385, 1000] {
            let a = (0..<n).map { _ in rng.gaussian() }
            let b = (0..<n).map { _ in rng.gaussian() }
            let codes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var halves = [UInt16](repeating: 0, count: n)
            ld_f32_to_f16(b, &halves, n)
            var roundTrip = [Float](repeating: 0, count: n)
            ld_f16_to_f32(halves, &roundTrip, n)

            var dot = 0.0, l2 = 0.0, u8 = 0.0, f16 = 0.0, scale = 0.0
            for i in 0..<n {
                dot += Double(a[i]) * Double(b[i])
                l2 += Double(a[i] - b[i]) * Double(a[i] - b[i])
                u8 += Double(a[i]) * Double(codes[i])
                f16 += Double(a[i]) * Double(roundTrip[i])
                scale += abs(Double(a[i]) * Double(b[i]))
            }
            let u8Scale = (0..<n).reduce(0.0) { $0 + abs(Double(a[$1]) * Double(codes[$1])) }
            for k in tables {
                let tol = 1e-5
                XCTAssertEqual(Double(k.dot(a, b, n)), dot, accuracy: tol * max(scale, 1), "\(k.name) dot n=\(n)")
                XCTAssertEqual(Double(k.l2Squared(a, b, n)), l2, accuracy: tol * max(l2, 1), "\(k.name) l2 n=\(n)")
                XCTAssertEqual(Double(k.dotU8(a, codes, n)), u8, accuracy: tol * max(u8Scale, 1), "\(k.name) u8 n=\(n)")
                XCTAssertEqual(Double(k.dotF16(a, halves, n)), f16, accuracy: tol * max(scale, 1), "\(k.name) f16 n=\(n)")
            }
        }
    }

    func testHalfPrecisionConversionRoundsToNearest() {
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, 1e-8, 6.1e-5, 3.14159, .infinity]
        var h = [UInt16](repeating: 0, count: values.count)
        ld_f32_to_f16(values, &h, values.count)
        var back = [Float](repeating: 0, count: values.count)
        ld_f16_to_f32(h, &back, values.count)
        XCTAssertEqual(h[2], 0x3C00)
        XCTAssertEqual(h[4], 0x7BFF)
        XCTAssertEqual(back[3], -2.5)
        XCTAssertEqual(back[7], 3.140625, accuracy: 1e-6)
        XCTAssertEqual(back[8], .infinity)
        XCTAssertEqual(back[5], 0, accuracy: 1e-7)
    }

    func testBestKernelsAreTheWidestTheCPUSupports() {
        XCTAssertEqual(Kernels.best.name, Kernels.available.last?.name)
    }
}

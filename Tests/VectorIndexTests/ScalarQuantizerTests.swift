import XCTest
@testable import VectorIndex

/// ScalarQuantizer.swift: the per-dimension int8 ranges learned from samples, the error of a
/// round trip, clipping outside the range, and the asymmetric dot product the int8 search uses.
final class ScalarQuantizerTests: XCTestCase {
    private func train(_ samples: [Float], dimension: Int, fallback: ClosedRange<Float> = -1...1) -> ScalarQuantizer {
        samples.withUnsafeBufferPointer {
            ScalarQuantizer(training: $0.baseAddress!, count: samples.count / dimension, dimension: dimension, fallbackRange: fallback)
        }
    }

    private func encode(_ q: ScalarQuantizer, _ v: [Float]) -> [UInt8] {
        var codes = [UInt8](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { q.encode($0.baseAddress!, into: &codes, dimension: v.count) }
        return codes
    }

    private func decode(_ q: ScalarQuantizer, _ codes: [UInt8]) -> [Float] {
        var v = [Float](repeating: 0, count: codes.count)
        codes.withUnsafeBufferPointer { q.decode($0.baseAddress!, into: &v, dimension: codes.count) }
        return v
    }

    /// `count` rows whose dimension `i` is uniform in `ranges[i]`.
    private func uniformRows(_ count: Int, ranges: [ClosedRange<Float>], seed: UInt64) -> [Float] {
        var rng = TestRNG(seed: seed)
        return (0..<count).flatMap { _ in ranges.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * rng.uniform() } }
    }

    private func high(_ q: ScalarQuantizer, _ i: Int) -> Float { q.low[i] + 255 * q.step[i] }

    // MARK: Training

    func testTrainingCoversEverySampleWithALittleHeadroom() {
        let ranges: [ClosedRange<Float>] = [0...1, -10...10, 100...100.5, -0.001...0.001]
        let samples = uniformRows(500, ranges: ranges, seed: 1)
        let q = train(samples, dimension: ranges.count)
        for i in ranges.indices {
            let column = stride(from: i, to: samples.count, by: ranges.count).map { samples[$0] }
            let (lo, hi) = (column.min()!, column.max()!)
            let width = hi - lo
            XCTAssertLessThan(q.low[i], lo, "dimension \(i): below the smallest sample")
            XCTAssertGreaterThan(high(q, i), hi, "dimension \(i): above the largest sample")
            XCTAssertEqual(q.low[i], lo - 0.02 * width, accuracy: 1e-4 * max(abs(lo), width), "dimension \(i): 2 % headroom below")
            XCTAssertEqual(high(q, i) - q.low[i], 1.04 * width, accuracy: 1e-3 * width, "dimension \(i): 2 % headroom above")
        }
    }

    func testFewerThanSixtyFourSamplesUseTheFallbackRange() {
        let ranges: [ClosedRange<Float>] = [0...0.1, 5...6]
        let few = train(uniformRows(63, ranges: ranges, seed: 2), dimension: 2, fallback: -4...4)
        XCTAssertEqual(few.low, [-4, -4])
        XCTAssertEqual(few.step, [8 / 255, 8 / 255])
        let enough = train(uniformRows(64, ranges: ranges, seed: 2), dimension: 2, fallback: -4...4)
        XCTAssertGreaterThan(enough.low[1], 4, "64 samples are trusted: dimension 1 is learned as about 5…6")
        XCTAssertLessThan(enough.step[0], 0.001)
    }

    func testAConstantDimensionFallsBackWhileTheOthersAreLearned() {
        var samples = uniformRows(100, ranges: [-1...1, 0...1], seed: 3)
        for r in 0..<100 { samples[r * 2 + 1] = 0.25 }
        let q = train(samples, dimension: 2, fallback: -2...2)
        XCTAssertEqual(q.low[1], -2, "no spread to learn from: the fallback range, never a zero step")
        XCTAssertEqual(q.step[1], 4 / 255)
        XCTAssertGreaterThan(q.low[0], -1.1)
        XCTAssertEqual(decode(q, encode(q, [0.3, 0.25]))[1], 0.25, accuracy: q.step[1] / 2)
    }

    // MARK: Round trip and clipping

    func testARoundTripIsWithinHalfAStepForValuesInRange() {
        let ranges: [ClosedRange<Float>] = [-1...1, 0...0.01, -300...(-200)]
        let q = train(uniformRows(1000, ranges: ranges, seed: 4), dimension: 3)
        let fresh = uniformRows(2000, ranges: ranges, seed: 5)
        for r in 0..<2000 {
            let v = Array(fresh[(r * 3)..<(r * 3 + 3)])
            let back = decode(q, encode(q, v))
            for i in 0..<3 {
                XCTAssertLessThanOrEqual(abs(back[i] - v[i]), q.step[i] / 2 * 1.001 + 1e-5 * abs(v[i]), "row \(r) dimension \(i)")
            }
        }
    }

    func testTheRangeEndsAndTheirCodesRoundTripExactly() {
        let q = ScalarQuantizer(low: [-1, 10], step: [2 / 255, 0.5])
        XCTAssertEqual(encode(q, [-1, 10]), [0, 0])
        XCTAssertEqual(encode(q, [1, 10 + 127.5]), [255, 255])
        XCTAssertEqual(encode(q, [-1 + 64 * (2 / 255), 10 + 0.5 * 100]), [64, 100])
        XCTAssertEqual(encode(q, [-1 + 64.4 * (2 / 255), 10 + 0.5 * 100.6]), [64, 101], "the nearest code, not the one below")
        for code in [UInt8(0), 1, 127, 254, 255] {
            XCTAssertEqual(encode(q, decode(q, [code, code])), [code, code], "code \(code) is a fixed point")
        }
    }

    func testValuesOutsideTheRangeClipToItsEndsInsteadOfWrapping() {
        let q = ScalarQuantizer(low: [-1, -1], step: [2 / 255, 2 / 255])
        XCTAssertEqual(encode(q, [-1.001, 1.001]), [0, 255])
        XCTAssertEqual(encode(q, [-1e6, 1e6]), [0, 255], "far outside: still the ends, not a code taken modulo 256")
        XCTAssertEqual(encode(q, [-.greatestFiniteMagnitude, .greatestFiniteMagnitude]), [0, 255])
        XCTAssertEqual(encode(q, [-.infinity, .infinity]), [0, 255])
        let back = decode(q, encode(q, [-5, 5]))
        XCTAssertEqual(back[0], -1, accuracy: 1e-6)
        XCTAssertEqual(back[1], 1, accuracy: 1e-5)
    }

    func testCodesNeverDecreaseAsTheValueGrows() {
        let q = ScalarQuantizer(low: [-1], step: [2 / 255])
        var previous: UInt8 = 0
        for i in 0...4000 {
            let code = encode(q, [-1.2 + Float(i) * 0.0006])[0]
            XCTAssertGreaterThanOrEqual(code, previous)
            previous = code
        }
        XCTAssertEqual(previous, 255)
    }

    // MARK: Distances on codes

    func testTheAsymmetricDotEqualsTheDotWithTheDecodedVectorOnEveryKernel() {
        let dimension = 384
        let samples = TestData.gaussian(count: 300, dimension: dimension, seed: 6)
        let q = train(samples, dimension: dimension)
        let query = TestData.gaussian(count: 1, dimension: dimension, seed: 7)
        let scaled = (0..<dimension).map { query[$0] * q.step[$0] }
        let offset = (0..<dimension).reduce(Float(0)) { $0 + query[$1] * q.low[$1] }
        for r in 0..<20 {
            let v = TestData.row(samples, r, dimension: dimension)
            let codes = encode(q, v)
            let decoded = decode(q, codes)
            let viaDecoded = zip(query, decoded).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            for kernels in Kernels.available {
                let asymmetric = offset + scaled.withUnsafeBufferPointer { s in
                    codes.withUnsafeBufferPointer { kernels.dotU8(s.baseAddress!, $0.baseAddress!, dimension) }
                }
                XCTAssertEqual(Double(asymmetric), viaDecoded, accuracy: 5e-3, "row \(r) on \(kernels.name)")
            }
        }
    }

    func testQuantisedDotsStayWithinTheirErrorBoundOfTheExactOnes() {
        let dimension = 128
        let samples = TestData.clustered(count: 1000, dimension: dimension, clusters: 8, seed: 8)
        let q = train(samples, dimension: dimension)
        let queries = TestData.gaussian(count: 10, dimension: dimension, seed: 9)
        var worstShare = 0.0
        for s in 0..<10 {
            let query = TestData.row(queries, s, dimension: dimension)
            // Each component is off by at most half a step: |q·x̂ − q·x| ≤ Σ |q_i| · step_i / 2.
            let bound = (0..<dimension).reduce(0.0) { $0 + Double(abs(query[$1]) * q.step[$1]) / 2 }
            for r in 0..<1000 {
                let v = TestData.row(samples, r, dimension: dimension)
                let exact = zip(query, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let approximate = zip(query, decode(q, encode(q, v))).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let error = abs(approximate - exact)
                XCTAssertLessThanOrEqual(error, bound * 1.001 + 1e-4, "query \(s) row \(r)")
                worstShare = max(worstShare, error / bound)
            }
        }
        XCTAssertGreaterThan(worstShare, 0.05, "the bound is not vacuous: some errors come near it")
    }

    func testQuantisedL2KeepsTheNearestNeighbours() {
        let dimension = 64, count = 2000, queryCount = 20
        // The last rows are the queries: the same distribution, not in the quantised set.
        let rows = TestData.clustered(count: count + queryCount, dimension: dimension, clusters: 16, seed: 10)
        let base = Array(rows[0..<(count * dimension)])
        let q = train(base, dimension: dimension)
        let decoded = (0..<count).flatMap { decode(q, encode(q, TestData.row(base, $0, dimension: dimension))) }
        func nearest(_ query: [Float], in vectors: [Float]) -> [Int] {
            let distances = (0..<count).map { r in
                (0..<dimension).reduce(Float(0)) { $0 + (query[$1] - vectors[r * dimension + $1]) * (query[$1] - vectors[r * dimension + $1]) }
            }
            return Array(distances.indices.sorted { distances[$0] < distances[$1] }.prefix(10))
        }
        var found = 0
        for s in 0..<queryCount {
            let query = TestData.row(rows, count + s, dimension: dimension)
            let exact = Set(nearest(query, in: base))
            found += nearest(query, in: decoded).filter { exact.contains($0) }.count
        }
        XCTAssertGreaterThanOrEqual(Double(found) / Double(queryCount * 10), 0.9, "recall@10 of exact search over the decoded codes")
    }
}

@testable import Replay
import XCTest

/// SeededGenerator.swift: the reproducible random stream.
final class SeededGeneratorTests: XCTestCase {
    func testSplitMix64ReferenceValues() {
        // The first outputs of SplitMix64 seeded with 0, from the reference C implementation.
        var g = SeededGenerator(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(g.next(), 0x06C4_5D18_8009_454F)
    }

    func testBoundedDrawsStayInRangeAndCoverIt() {
        var g = SeededGenerator(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let v = g.integer(below: 7)
            XCTAssertTrue((0..<7).contains(v))
            seen.insert(v)
        }
        XCTAssertEqual(seen.count, 7)
        for _ in 0..<200 { XCTAssertTrue((4...5).contains(g.integer(in: 4...5))) }
    }

    func testChanceMatchesItsProbability() {
        var g = SeededGenerator(seed: 3)
        let hits = (0..<20_000).filter { _ in g.chance(0.3) }.count
        XCTAssertEqual(Double(hits) / 20_000, 0.3, accuracy: 0.02)
        XCTAssertFalse(g.chance(0))
        XCTAssertTrue(g.chance(1))
    }

    func testShuffleIsAPermutationAndDependsOnTheSeed() {
        var a = Array(0..<100), b = Array(0..<100), c = Array(0..<100)
        var ga = SeededGenerator(seed: 11), gb = SeededGenerator(seed: 11), gc = SeededGenerator(seed: 12)
        ga.shuffle(&a); gb.shuffle(&b); gc.shuffle(&c)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(a, Array(0..<100))
        XCTAssertEqual(a.sorted(), Array(0..<100))
    }

    func testPerItemStreamsAreIndependentOfEachOther() {
        var a = SeededGenerator(seed: 5, stream: 3, index: 10)
        var b = SeededGenerator(seed: 5, stream: 3, index: 10)
        var c = SeededGenerator(seed: 5, stream: 3, index: 11)
        var d = SeededGenerator(seed: 5, stream: 4, index: 10)
        let first = a.next()
        XCTAssertEqual(first, b.next())
        XCTAssertNotEqual(first, c.next())
        XCTAssertNotEqual(first, d.next())
    }
}

@testable import Primitives
import XCTest

/// `ChunkedArray`: the same elements as an `Array` through appends and
/// writes across chunk boundaries, and copies that stay independent (a
/// snapshot's copy must not see the changes made after it).
final class ChunkedArrayTests: XCTestCase {
    func testAgreesWithAnArrayThroughAppendsAndWritesAcrossChunks() {
        var chunked = ChunkedArray<Int>(chunkShift: 3)
        var reference: [Int] = []
        for i in 0..<100 {
            chunked.append(i * 7)
            reference.append(i * 7)
        }
        for i in stride(from: 0, to: 100, by: 3) {
            chunked[i] += 1
            reference[i] += 1
        }
        XCTAssertEqual(chunked.count, 100)
        XCTAssertEqual(chunked.elements, reference)
        XCTAssertEqual(chunked.indices.map { chunked[$0] }, reference)
        XCTAssertEqual(chunked.withUnsafePointer(to: 57) { $0.pointee }, reference[57])
    }

    func testRepeatingFillsAPartialLastChunk() {
        let chunked = ChunkedArray(repeating: 5, count: 21, chunkShift: 3)
        XCTAssertEqual(chunked.count, 21)
        XCTAssertEqual(chunked.elements, [Int](repeating: 5, count: 21))
        XCTAssertTrue(ChunkedArray<Int>(repeating: 1, count: 0).isEmpty)
    }

    /// A copy taken before changes keeps the old values in every chunk, the
    /// changed one included; the original sees its own changes.
    func testACopyIsUnaffectedByLaterChanges() {
        var live = ChunkedArray(repeating: 0, count: 64, chunkShift: 4)
        let copy = live
        live[17] = 9
        live[63] = 8
        live.append(7)
        XCTAssertEqual(copy.count, 64)
        XCTAssertEqual(copy.elements, [Int](repeating: 0, count: 64))
        XCTAssertEqual(live[17], 9)
        XCTAssertEqual(live[63], 8)
        XCTAssertEqual(live[64], 7)
        XCTAssertEqual(live.count, 65)
    }

    /// What a snapshot's pause relies on: a change after a copy copies the
    /// chunk it writes and shares every other chunk's buffer with the copy.
    func testAChangeAfterACopyCopiesOnlyTheChunkItWrites() {
        var live = ChunkedArray(repeating: 1, count: 64, chunkShift: 4)
        let copy = live
        live[20] = 2
        func base(_ a: ChunkedArray<Int>, _ c: Int) -> UnsafePointer<Int>? { a.chunks[c].withUnsafeBufferPointer { $0.baseAddress } }
        XCTAssertNotEqual(base(live, 1), base(copy, 1), "the written chunk is the live array's own")
        for c in [0, 2, 3] { XCTAssertEqual(base(live, c), base(copy, c), "chunk \(c) is still shared") }
    }
}

import Foundation
import LoopdeskTestSupport
import XCTest
import VectorIndex

final class TexmexFileTests: XCTestCase {
    func testRoundTripAndMalformedFiles() throws {
        let temporary = try TemporaryDirectory(prefix: "texmex")
        defer { temporary.remove() }
        let dir = temporary.url
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        try TexmexFile.writeFloats(dir.appendingPathComponent("a.fvecs").path, dimension: 3, values: values)
        let read = try TexmexFile.readFloats(dir.appendingPathComponent("a.fvecs").path)
        XCTAssertEqual(read.dimension, 3)
        XCTAssertEqual(read.count, 2)
        XCTAssertEqual(read.values, values)
        XCTAssertEqual(try TexmexFile.readFloats(dir.appendingPathComponent("a.fvecs").path, limit: 1).values, [1, 2, 3])
        try TexmexFile.writeInts(dir.appendingPathComponent("g.ivecs").path, rows: [[7, 8], [9, 10]])
        XCTAssertEqual(try TexmexFile.readInts(dir.appendingPathComponent("g.ivecs").path), [[7, 8], [9, 10]])

        var data = try Data(contentsOf: dir.appendingPathComponent("a.fvecs"))
        data.removeLast(2)
        try data.write(to: dir.appendingPathComponent("torn.fvecs"))
        XCTAssertThrowsError(try TexmexFile.readFloats(dir.appendingPathComponent("torn.fvecs").path)) {
            XCTAssertTrue("\($0)".contains("not a whole number"), "\($0)")
        }
        XCTAssertThrowsError(try TexmexFile.readFloats(dir.appendingPathComponent("missing.fvecs").path))
    }
}

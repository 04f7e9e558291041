import Primitives
import XCTest

/// The shared little-endian codec: what is written reads back, and damaged
/// input is refused with an error that names the field and the offset.
final class ByteCodecTests: XCTestCase {
    private func read<T>(_ bytes: [UInt8], _ body: (inout ByteReader<ByteReadError>) throws(ByteReadError) -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader<ByteReadError>(raw, context: "test record")
            let value = try body(&reader)
            try reader.expectEnd()
            return value
        }
    }

    /// The error `body` throws over `bytes`, or a failure when it throws none.
    private func failure(_ bytes: [UInt8], origin: Int = 0,
                         _ body: (inout ByteReader<ByteReadError>) throws(ByteReadError) -> Void) -> ByteReadError? {
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader<ByteReadError>(raw, context: "test record", origin: origin)
            do throws(ByteReadError) {
                try body(&reader)
                XCTFail("expected the read to fail")
                return nil
            } catch {
                return error
            }
        }
    }

    func testScalarsRoundTripLittleEndian() throws {
        var w = ByteWriter()
        w.write(UInt8(0xAB))
        w.write(UInt16(0x0102))
        w.write(UInt32(0x0304_0506))
        w.write(UInt64(0x0708_090A_0B0C_0D0E))
        w.write(Int32(-2))
        w.write(Float(1.5))
        w.write(Double(-0.25))
        w.write(true)
        w.write(false)
        w.write(string: "héllo")
        XCTAssertEqual(Array(w.bytes[1...3]), [0x02, 0x01, 0x06], "little-endian on the wire")

        let values = try read(w.bytes) { (r) throws(ByteReadError) in
            (try r.read(UInt8.self, "a"), try r.read(UInt16.self, "b"), try r.read(UInt32.self, "c"),
             try r.read(UInt64.self, "d"), try r.read(Int32.self, "e"), try r.read(Float.self, "f"),
             try r.read(Double.self, "g"), try r.readBool("h"), try r.readBool("i"), try r.readString("j"))
        }
        XCTAssertEqual(values.0, 0xAB)
        XCTAssertEqual(values.1, 0x0102)
        XCTAssertEqual(values.2, 0x0304_0506)
        XCTAssertEqual(values.3, 0x0708_090A_0B0C_0D0E)
        XCTAssertEqual(values.4, -2)
        XCTAssertEqual(values.5, 1.5)
        XCTAssertEqual(values.6, -0.25)
        XCTAssertEqual(values.7, true)
        XCTAssertEqual(values.8, false)
        XCTAssertEqual(values.9, "héllo")
    }

    func testArraysRoundTripAndMatchElementWiseEncoding() throws {
        let floats: [Float] = [0, -1, .pi, .greatestFiniteMagnitude]
        let doubles: [Double] = [1e-300, -2, .infinity]
        let ids: [UInt64] = [1, .max, 42]
        var w = ByteWriter()
        w.write(floats: floats)
        w.write(doubles: doubles)
        w.write(uint64s: ids)
        var elementWise = ByteWriter()
        for f in floats { elementWise.write(f) }
        for d in doubles { elementWise.write(d) }
        for i in ids { elementWise.write(i) }
        XCTAssertEqual(w.bytes, elementWise.bytes, "one memcpy writes what element-by-element writing does")

        let back = try read(w.bytes) { (r) throws(ByteReadError) in
            (try r.readFloats(count: 4, "floats"), try r.readDoubles(count: 3, "doubles"), try r.readUInt64s(count: 3, "ids"))
        }
        XCTAssertEqual(back.0, floats)
        XCTAssertEqual(back.1, doubles)
        XCTAssertEqual(back.2, ids)
    }

    func testPatchOverwritesALengthInPlace() throws {
        var w = ByteWriter()
        w.write(UInt32(0))
        w.write(raw: [9, 9, 9])
        w.patch(UInt32(w.count - 4), at: 0)
        XCTAssertEqual(w.bytes, [3, 0, 0, 0, 9, 9, 9])
    }

    func testTruncationNamesFieldOffsetAndShortfall() throws {
        let error = failure([1, 0, 0, 0, 7, 7], origin: 100) { (r) throws(ByteReadError) in
            _ = try r.read(UInt32.self, "count")
            _ = try r.read(UInt32.self, "id")
        }
        XCTAssertEqual(error, ByteReadError(context: "test record", field: "id", offset: 104, remaining: 2,
                                            problem: .truncated(needed: 4)))
        XCTAssertEqual(error?.needed, 4)
        XCTAssertEqual(error?.description, "test record: id needs 4 bytes at offset 104, 2 left")
    }

    func testForgedArrayCountIsRefusedBeforeAllocating() {
        // Int.max / 2 floats would be an allocation no machine has: the count is
        // refused against the 8 bytes present, not attempted.
        let error = failure([UInt8](repeating: 0, count: 8)) { (r) throws(ByteReadError) in
            _ = try r.readFloats(count: Int.max / 2, "vector")
        }
        XCTAssertEqual(error?.problem, .arrayTruncated(count: Int.max / 2, stride: 4))
        XCTAssertEqual(error?.offset, 0)
        XCTAssertEqual(error?.remaining, 8)
        let negative = failure([1, 2, 3]) { (r) throws(ByteReadError) in _ = try r.readArray(of: UInt16.self, count: -1, "list") }
        XCTAssertEqual(negative?.problem, .arrayTruncated(count: -1, stride: 2))
    }

    func testForgedItemCountIsRefusedBeforeAllocating() throws {
        var w = ByteWriter()
        w.write(UInt32.max)
        w.write(raw: [UInt8](repeating: 0, count: 40))
        let error = failure(w.bytes) { (r) throws(ByteReadError) in _ = try r.readCount("items", minimumItemSize: 16) }
        XCTAssertEqual(error, ByteReadError(context: "test record", field: "items", offset: 0, remaining: 40,
                                            problem: .countTooLarge(count: Int(UInt32.max), minimumItemSize: 16)))
        var fits = ByteWriter()
        fits.write(UInt32(2))
        fits.write(raw: [UInt8](repeating: 0, count: 32))
        let count = try fits.bytes.withUnsafeBytes { raw in
            var r = ByteReader<ByteReadError>(raw, context: "test record")
            return try r.readCount("items", minimumItemSize: 16)
        }
        XCTAssertEqual(count, 2, "a count the bytes can hold passes")
    }

    func testInvalidValuesAndTrailingBytes() {
        let bool = failure([0, 2]) { (r) throws(ByteReadError) in
            _ = try r.readBool("first")
            _ = try r.readBool("second")
        }
        XCTAssertEqual(bool, ByteReadError(context: "test record", field: "second", offset: 1, remaining: 1, problem: .invalidValue("2")))

        let utf8 = failure([2, 0, 0xC3, 0x28]) { (r) throws(ByteReadError) in _ = try r.readString("name") }
        XCTAssertEqual(utf8, ByteReadError(context: "test record", field: "name", offset: 2, remaining: 2, problem: .invalidUTF8(length: 2)))

        let trailing = failure([5, 6, 7]) { (r) throws(ByteReadError) in
            _ = try r.read(UInt8.self, "one")
            try r.expectEnd()
        }
        XCTAssertEqual(trailing?.problem, .trailingBytes)
        XCTAssertEqual(trailing?.offset, 1)
        XCTAssertEqual(trailing?.remaining, 2)
    }

    func testRawReadsBorrowWithoutCopyingAndRefuseNegativeCounts() throws {
        let bytes: [UInt8] = [1, 2, 3, 4]
        try bytes.withUnsafeBytes { raw in
            var r = ByteReader<ByteReadError>(raw, context: "test record")
            let slice = try r.readRaw(count: 3, "head")
            XCTAssertEqual(slice.baseAddress, raw.baseAddress, "a view into the input, not a copy")
            XCTAssertEqual(Array(slice), [1, 2, 3])
            XCTAssertEqual(r.offset, 3)
            XCTAssertEqual(r.remaining, 1)
            XCTAssertThrowsError(try r.readRaw(count: -1, "tail"))
        }
    }

    /// A module's own error, built once from the reader's description.
    private struct RecordError: ByteReadFailure, Equatable {
        var text: String
        init(_ error: ByteReadError) { text = "record broken at \(error.offset): \(error.field)" }
    }

    func testReadersThrowTheModulesOwnError() {
        [UInt8]([1]).withUnsafeBytes { raw in
            var r = ByteReader<RecordError>(raw, context: "x", origin: 10)
            do throws(RecordError) {
                _ = try r.read(UInt16.self, "kind")
                XCTFail("expected a RecordError")
            } catch {
                XCTAssertEqual(error.text, "record broken at 10: kind")
            }
        }
    }
}

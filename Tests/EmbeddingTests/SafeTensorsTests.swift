import Foundation
import XCTest
@testable import Embedding

/// SafeTensors.swift on files written by the test, good and broken.
final class SafeTensorsTests: XCTestCase {
    /// Writes a safetensors file from (name, dtype, shape, payload) entries.
    private func write(_ entries: [(String, String, [Int], [UInt8])], headerLength: UInt64? = nil, trailingBytes: Int = 0) throws -> String {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data: [UInt8] = []
        for (name, dtype, shape, payload) in entries {
            header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [data.count, data.count + payload.count]]
            data += payload
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { Array($0) }
        bytes += json + data + [UInt8](repeating: 0, count: trailingBytes)
        let path = try TestSupport.temporaryDirectory(self) + "/model.safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func floats(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    func testReadsF32TensorsInPlace() throws {
        let path = try write([("a", "F32", [2, 2], floats([1, 2, 3, 4])), ("b", "F32", [3], floats([5, 6, 7]))])
        let file = try SafeTensors(path: path)
        XCTAssertEqual(Array(try file.floats("a", shape: [2, 2])), [1, 2, 3, 4])
        XCTAssertEqual(Array(try file.floats("b", shape: [3])), [5, 6, 7])
        XCTAssertEqual(file.tensors.count, 2, "__metadata__ is not a tensor")
    }

    func testRefusesMissingTensorsWrongDTypesAndShapes() throws {
        let path = try write([("a", "F32", [2, 2], floats([1, 2, 3, 4])), ("h", "F16", [2], [0, 0, 0, 0])])
        let file = try SafeTensors(path: path)
        XCTAssertThrowsError(try file.floats("nope", shape: [1])) {
            XCTAssertEqual($0 as? EmbeddingError, .missingTensor(path: path, tensor: "nope"))
        }
        XCTAssertThrowsError(try file.floats("h", shape: [2])) {
            XCTAssertEqual($0 as? EmbeddingError, .unexpectedDType(path: path, tensor: "h", found: "F16", expected: "F32"))
            XCTAssertTrue("\($0)".contains("'h'"))
        }
        XCTAssertThrowsError(try file.floats("a", shape: [4])) {
            XCTAssertEqual($0 as? EmbeddingError, .unexpectedShape(path: path, tensor: "a", found: [2, 2], expected: [4]))
        }
    }

    func testRefusesBrokenLayouts() throws {
        func assertMalformed(_ path: String, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try SafeTensors(path: path), line: line) { error in
                guard case .malformedSafeTensors(_, let reason)? = error as? EmbeddingError else {
                    return XCTFail("unexpected \(error)", line: line)
                }
                XCTAssertTrue(reason.contains(fragment), "\(reason)", line: line)
            }
        }
        assertMalformed(try write([("a", "F32", [1], floats([1]))], headerLength: 1 << 40), "does not fit")
        assertMalformed(try write([("a", "F32", [3], floats([1]))]), "needs 12 bytes")
        let tooShort = try TestSupport.temporaryDirectory(self) + "/short.safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tooShort))
        assertMalformed(tooShort, "shorter than")
        let notJSON = try TestSupport.temporaryDirectory(self) + "/garbage.safetensors"
        try Data(withUnsafeBytes(of: UInt64(4).littleEndian) { Array($0) } + Array("nope".utf8)).write(to: URL(fileURLWithPath: notJSON))
        assertMalformed(notJSON, "not a JSON object")
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try SafeTensors(path: "/nonexistent/model.safetensors")) {
            XCTAssertEqual($0 as? EmbeddingError, .fileNotFound(path: "/nonexistent/model.safetensors"))
        }
    }

    func testTheInstalledModelHasTheExpectedTensors() throws {
        let directory = try TestSupport.requireModel()
        let file = try SafeTensors(path: directory + "/model.safetensors")
        XCTAssertNoThrow(try BertWeights(file: file, config: .miniLM))
        XCTAssertEqual(try BertConfiguration.load(path: directory + "/config.json"), .miniLM)
    }
}

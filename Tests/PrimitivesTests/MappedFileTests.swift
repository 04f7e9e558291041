import Foundation
import Primitives
import XCTest

/// The read-only mapping: the bytes are the file's, and failures say why.
final class MappedFileTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "primitives-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    func testMapsTheWholeFile() throws {
        let path = directory + "/weights.bin"
        let content = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        XCTAssertEqual(file.bytes.count, content.count)
        XCTAssertEqual(Array(file.bytes), content)
        // Dropping pages of a private read-only mapping loses nothing: they come back from the file.
        file.discardPages(in: 0..<file.bytes.count)
        file.discardPages(in: 5..<6)
        XCTAssertEqual(Array(file.bytes[4096..<4200]), Array(content[4096..<4200]))
    }

    func testMissingFileIsNotFound() {
        let path = directory + "/absent.bin"
        XCTAssertThrowsError(try MappedFile(path: path)) { error in
            XCTAssertEqual(error as? MappedFileError, MappedFileError(path: path, cause: .notFound))
        }
    }

    func testEmptyFileAndDirectoryAreRefusedWithTheirCause() throws {
        let empty = directory + "/empty.bin"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertThrowsError(try MappedFile(path: empty)) { error in
            XCTAssertEqual((error as? MappedFileError)?.cause, .empty)
        }
        XCTAssertThrowsError(try MappedFile(path: directory)) { error in
            guard case .systemCall? = (error as? MappedFileError)?.cause else {
                return XCTFail("a directory cannot be mapped: \(error)")
            }
        }
    }
}

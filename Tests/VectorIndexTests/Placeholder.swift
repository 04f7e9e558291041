import XCTest
final class VectorIndexTestsPlaceholder: XCTestCase { func testNothing() {} }

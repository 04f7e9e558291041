import Hummingbird
import Support
@testable import SupportHTTP
import XCTest

/// `storage_unavailable` goes out as 503 with `Retry-After`, like a core that is down:
/// helpdesks and clients retry it, and it is not logged as an unexpected 500.
final class StorageUnavailableResponseTests: XCTestCase {
    func testStorageUnavailableIs503WithRetryAfter() {
        let api = SupportError.storageUnavailable("the store cannot write to its disk (database or disk is full)", retryAfter: 30).apiError
        XCTAssertEqual(api.status.code, 503)
        XCTAssertEqual(api.code, "storage_unavailable")
        XCTAssertEqual(api.headers[.retryAfter], "30")
        XCTAssertTrue(api.message.contains("disk is full"), api.message)
    }
}

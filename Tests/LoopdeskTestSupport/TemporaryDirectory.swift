import Foundation
import Primitives

/// A fresh, empty directory for one test (or one harness), removed when released
/// or by ``remove()``.
///
/// It lives directly under `/tmp` with a short name, so that a Unix socket inside
/// it (`core.sock`) fits the 108 bytes of `sockaddr_un`, wherever `TMPDIR` points.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `/tmp/PREFIX-XXXXXX` with a unique suffix.
    /// - Parameter prefix: a few letters naming the tests it is for (seen when a run leaves one behind).
    /// - Throws: the `POSIXError` of `mkdtemp`.
    public init(prefix: String = "ldtest") throws {
        guard let path = makeTemporaryDirectory(prefix: prefix) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        self.path = path
    }

    /// The directory as a file URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Removes the directory and everything in it; a second call does nothing.
    public func remove() {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            // Only cleanup: a leftover directory under /tmp must not fail the test that made it.
            print("warning: cannot remove \(path): \(error)")
        }
    }

    deinit { remove() }
}

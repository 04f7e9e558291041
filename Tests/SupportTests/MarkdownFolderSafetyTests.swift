#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// A Markdown folder import reads what it was pointed at and nothing else: no symbolic link
/// out of the folder, no FIFO or device, no oversized file — and it says what it skipped.
final class MarkdownFolderSafetyTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var scratch: URL { directory.url }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ldmd")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("kb/sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("outside"), withIntermediateDirectories: true)
    }

    override func tearDown() {
        directory = nil
    }

    private func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: scratch.appendingPathComponent(relative))
    }

    private func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: scratch.appendingPathComponent(relative).path, withDestinationPath: target)
    }

    /// Runs `body` on a thread of its own and fails instead of hanging when it blocks (a FIFO read would).
    private func withinSeconds<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.result = Result { try body() }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + seconds) == .success, let result = box.result else {
            XCTFail("the import blocked for \(seconds) s")
            throw POSIXError(.ETIMEDOUT)
        }
        return try result.get()
    }

    func testOnlyRegularFilesInsideTheFolderAreReadAndTheRestIsReported() throws {
        try write("kb/a.md", "# Reset your password\nOpen Settings.")
        try write("kb/sub/b.md", "# Refunds\nWithin 30 days.")
        try write("outside/secret.md", "# Secret\nThe admin password is hunter2.")
        try write("outside/more.md", "# More secrets\nx")
        try link("kb/leak.md", to: scratch.appendingPathComponent("outside/secret.md").path)
        try link("kb/relative-leak.md", to: "../outside/secret.md")
        try link("kb/outside-folder", to: scratch.appendingPathComponent("outside").path)
        try link("kb/loop", to: ".")
        try link("kb/dangling.md", to: "nowhere.md")
        try link("kb/alias.md", to: "sub/b.md")
        try link("kb/null.md", to: "/dev/null")
        guard mkfifo(scratch.appendingPathComponent("kb/pipe.md").path, 0o600) == 0 else { throw POSIXError(.EIO) }
        try write("kb/huge.md", "# Huge\n" + String(repeating: "x", count: KnowledgeBaseImport.maxMarkdownFileBytes))

        let folder = scratch.appendingPathComponent("kb").path
        let loaded = try withinSeconds(20) { try KnowledgeBaseImport.loadReport(path: folder) }
        XCTAssertEqual(loaded.articles.map(\.id), ["a", "alias", "sub/b"])
        XCTAssertFalse(loaded.articles.contains { $0.body.contains("hunter2") })
        let reasons = Dictionary(uniqueKeysWithValues: loaded.skipped.map { ($0.path, $0.reason) })
        XCTAssertEqual(reasons["leak.md"], "a symbolic link out of the folder (not followed)")
        XCTAssertEqual(reasons["relative-leak.md"], "a symbolic link out of the folder (not followed)")
        XCTAssertEqual(reasons["outside-folder"], "a symbolic link out of the folder (not followed)")
        XCTAssertEqual(reasons["loop"], "a symbolic link to a folder (not followed)")
        XCTAssertEqual(reasons["dangling.md"], "a symbolic link that leads nowhere")
        XCTAssertEqual(reasons["null.md"], "a symbolic link out of the folder (not followed)")
        XCTAssertEqual(reasons["pipe.md"], "not a regular file (a FIFO)")
        XCTAssertTrue(reasons["huge.md"]?.hasPrefix("larger than \(KnowledgeBaseImport.maxMarkdownFileBytes) bytes") ?? false, "\(reasons)")
        XCTAssertEqual(loaded.skipped.count, 8, "\(loaded.skipped)")

        // The plain entry point skips the same files.
        let articles = try withinSeconds(20) { try KnowledgeBaseImport.load(path: folder) }
        XCTAssertEqual(articles.map(\.id), ["a", "alias", "sub/b"])
    }

    func testAFolderWhoseOnlyMarkdownIsSkippedSaysWhy() throws {
        try write("outside/secret.md", "# Secret\nx")
        try link("kb/leak.md", to: scratch.appendingPathComponent("outside/secret.md").path)
        let folder = scratch.appendingPathComponent("kb").path
        ImportFixture.assertError(.invalidRequest(
            "\(folder): the folder holds no .md file; skipped: leak.md: a symbolic link out of the folder (not followed)")) {
            try KnowledgeBaseImport.load(path: folder)
        }
    }

    func testTheSizeLimitIsTheCallersChoice() throws {
        try write("kb/a.md", "# A\n" + String(repeating: "y", count: 200))
        try write("kb/b.md", "# B\nshort")
        let loaded = try KnowledgeBaseImport.loadMarkdownFolderReport(path: scratch.appendingPathComponent("kb").path, maxFileBytes: 100)
        XCTAssertEqual(loaded.articles.map(\.id), ["b"])
        XCTAssertEqual(loaded.skipped, [SkippedImportFile(path: "a.md", reason: "larger than 100 bytes (204)")])
    }
}

/// A result handed from a thread to the test.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

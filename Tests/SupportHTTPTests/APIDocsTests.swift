import Foundation
import HTTPTypes
import Hummingbird
import XCTest

/// Runs the examples of docs/API.md, in order, against a fresh service: each ```http block is sent
/// and the ```response block after it is checked (status; every documented key present, nested
/// objects included; the values that do not depend on the embedder equal).
final class APIDocsTests: XCTestCase {
    struct Example: @unchecked Sendable {
        var line: Int
        var method: HTTPRequest.Method
        var path: String
        var headers: HTTPFields
        var body: String?
        var status: Int
        var response: Any?
    }

    /// Values compared exactly; the rest (scores, ids, dates, texts) depend on the embedder or the clock.
    static let stableKeys: Set<String> = ["code", "status", "received", "created", "updated", "unchanged", "total", "limit",
                                          "offset", "next_offset", "version", "outcome", "reachable", "pending",
                                          "impression_id", "conversation_id", "articles"]

    static func docsURL() -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("docs/API.md")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "docs/API.md")
    }

    static func examples(in markdown: String) throws -> [Example] {
        var blocks: [(language: String, line: Int, text: String)] = []
        var current: (String, Int, [String])?
        for (index, line) in markdown.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var open = current {
                if trimmed == "```" {
                    blocks.append((open.0, open.1, open.2.joined(separator: "\n")))
                    current = nil
                } else {
                    open.2.append(line)
                    current = open
                }
            } else if trimmed.hasPrefix("```") {
                current = (String(trimmed.dropFirst(3)), index + 1, [])
            }
        }
        var examples: [Example] = []
        for (i, block) in blocks.enumerated() where block.language == "http" {
            guard i + 1 < blocks.count, blocks[i + 1].language == "response" else {
                XCTFail("docs/API.md line \(block.line): an http example without a response block after it")
                continue
            }
            let (head, body) = split(block.text)
            var lines = head.components(separatedBy: "\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            var headers: HTTPFields = [:]
            for line in lines where !line.isEmpty {
                let parts = line.split(separator: ":", maxSplits: 1)
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: "$LOOPDESK_TOKEN", with: APIHarness.token)
                headers[HTTPField.Name(String(parts[0]))!] = value
            }
            let (responseHead, responseBody) = split(blocks[i + 1].text)
            let status = Int(responseHead.split(separator: " ")[1])!
            let expected = responseBody.contains("…") ? nil : try JSONSerialization.jsonObject(with: Data(responseBody.utf8))
            examples.append(Example(line: block.line, method: HTTPRequest.Method(String(requestLine[0]))!, path: String(requestLine[1]),
                                    headers: headers, body: body.isEmpty ? nil : body, status: status, response: expected))
        }
        return examples
    }

    /// A message's head and body, split at the first blank line.
    static func split(_ text: String) -> (String, String) {
        guard let range = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Every key of `expected` is in `actual`, recursively; stable keys have equal values.
    static func check(_ expected: Any, _ actual: Any, path: String, failures: inout [String]) {
        if let expected = expected as? [String: Any] {
            guard let actual = actual as? [String: Any] else { failures.append("\(path): expected an object"); return }
            for (key, value) in expected {
                guard let got = actual[key] else { failures.append("\(path).\(key): missing"); continue }
                if stableKeys.contains(key), !(value is [Any]), !(value is [String: Any]) {
                    if "\(value)" != "\(got)" { failures.append("\(path).\(key): documented \(value), got \(got)") }
                }
                check(value, got, path: path + "." + key, failures: &failures)
            }
        } else if let expected = expected as? [Any], let first = expected.first {
            guard let actual = actual as? [Any] else { failures.append("\(path): expected an array"); return }
            if let got = actual.first { check(first, got, path: path + "[0]", failures: &failures) }
        }
    }

    func testEveryExampleOfTheAPIDocumentRuns() async throws {
        let markdown = try String(contentsOf: Self.docsURL(), encoding: .utf8)
        let examples = try Self.examples(in: markdown)
        XCTAssertGreaterThanOrEqual(examples.count, 14, "docs/API.md should show every endpoint")
        let documented = Set(examples.map { "\($0.method) \($0.path.split(separator: "?")[0])" })
        for endpoint in ["GET /v1/health", "POST /v1/articles", "GET /v1/articles", "GET /v1/articles/reset-password", "POST /v1/ask",
                         "POST /v1/outcomes", "POST /v1/events", "POST /v1/reindex"] {
            XCTAssertTrue(documented.contains(endpoint), "docs/API.md has no example of \(endpoint)")
        }
        try await withAPI { _, api in
            for example in examples {
                // The example's own headers carry the token (or, for the 401 example, none).
                let response = try await api.send(example.method, example.path, body: example.body, token: nil, headers: example.headers)
                XCTAssertEqual(response.status, example.status, "docs/API.md line \(example.line): \(response.text)")
                if let expected = example.response {
                    let actual = try JSONSerialization.jsonObject(with: response.body)
                    var failures: [String] = []
                    Self.check(expected, actual, path: "", failures: &failures)
                    XCTAssertEqual(failures, [], "docs/API.md line \(example.line) (\(example.method) \(example.path)): \(response.text)")
                }
            }
        }
    }
}

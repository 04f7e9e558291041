import Foundation
import Logging
import LoopdeskTestSupport
@testable import Support
import Wire
import XCTest

/// What the gap tests share: a real core on a temporary socket, a service over a
/// temporary SQLite file, and CLINC150 from `../shared`.
final class GapHarness: @unchecked Sendable {
    private let directory: TemporaryDirectory
    private let core: RunningCore

    /// Skips a test whose numbers only mean something with MiniLM.
    static func requireMiniLM() throws {
        guard TestEmbedder.isMiniLM else { throw XCTSkip("MiniLM is not installed at ./models; the CLINC150 gap measurements need it") }
    }

    init() throws {
        directory = try TemporaryDirectory(prefix: "ldgp")
        core = try RunningCore(in: directory)
    }

    deinit {
        core.stop()
        directory.remove()
    }

    /// A service over this harness's core and a fresh database.
    func service(database: String = "loopdesk.sqlite", clock: any SupportClock = SystemClock(),
                 _ configure: (inout SupportConfiguration) -> Void = { _ in }) async throws -> SupportService {
        var configuration = SupportConfiguration()
        configuration.gaps = GapConfiguration(environment: [:])
        configure(&configuration)
        var logger = Logger(label: "test.support")
        logger.logLevel = .error
        return try await SupportService.open(databasePath: directory.file(database), coreSocket: core.socketPath, embedder: TestEmbedder.shared,
                                             clock: clock, configuration: configuration, logger: logger)
    }
}

/// CLINC150 (Larson et al., 2019) as the gap tests use it.
struct CLINC {
    let splits: [String: [[String]]]

    static let directory = TestEmbedder.repositoryRoot + "/../shared/data/clinc150"

    /// Loaded once per test process.
    nonisolated(unsafe) static var cached: CLINC?

    static func load() throws -> CLINC {
        if let cached { return cached }
        let path = directory + "/data_full.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XCTSkip("CLINC150 is not at \(path)")
        }
        let loaded = CLINC(splits: try JSONDecoder().decode([String: [[String]]].self, from: data))
        cached = loaded
        return loaded
    }

    /// Utterances of a split by intent, in file order.
    func byIntent(_ split: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for row in splits[split] ?? [] where row.count == 2 { out[row[1], default: []].append(row[0]) }
        return out
    }

    /// In-scope intents, sorted.
    var intents: [String] { byIntent("train").keys.filter { $0 != "oos" }.sorted() }

    /// Out-of-scope utterances of a split.
    func outOfScope(_ split: String) -> [String] { (splits[split] ?? []).filter { $0.count == 2 && $0[1] == "oos" }.map { $0[0] } }

    /// One article per intent, as the replay's converter builds them: title from the
    /// intent's name, body = the title and its first two training utterances.
    func article(_ intent: String) -> ArticleInput {
        let title = intent.split(separator: "_").joined(separator: " ").capitalizedFirst
        let body = ([title] + (byIntent("train")[intent] ?? []).prefix(2)).joined(separator: "\n")
        return ArticleInput(id: intent, title: title, body: body, tags: ["topic:\(intent)"])
    }
}

extension StringProtocol {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

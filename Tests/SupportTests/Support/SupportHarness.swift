import Foundation
import LoopdeskTestSupport
import Support
import Wire
import XCTest

/// A real core on a temporary socket and data directory, plus a SQLite file, for one test.
final class SupportHarness: @unchecked Sendable {
    private let directory: TemporaryDirectory
    private let core: RunningCore

    init() throws {
        directory = try TemporaryDirectory(prefix: "ldsp")
        core = try RunningCore(in: directory)
    }

    var socketPath: String { core.socketPath }
    var databasePath: String { directory.file("loopdesk.sqlite") }

    /// Starts the core again on the same socket and data directory.
    func startCore() throws { try core.start() }

    /// Stops the core gracefully.
    func stopCore() { core.stop() }

    /// A service over this harness's core and database, embedding with `embedder` (the suites' shared one by default).
    func service(_ configure: (inout SupportConfiguration) -> Void = { _ in },
                 clock: any SupportClock = SystemClock(),
                 embedder: any TextEmbedder = TestEmbedder.shared) async throws -> SupportService {
        var configuration = SupportConfiguration()
        configure(&configuration)
        return try await SupportService.open(databasePath: databasePath, coreSocket: socketPath, embedder: embedder,
                                             clock: clock, configuration: configuration)
    }

    /// The core's ranking statistics of the `kb` collection (feedback counts).
    func feedbackCount() async throws -> Int {
        let client = try await LoopdeskClient.connect(socketPath: socketPath)
        defer { client.close() }
        let json = try await client.stats(collection: "kb")
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let kb = ((object?["collections"] as? [String: Any])?["kb"] as? [String: Any])
        let model = (kb?["ranking"] as? [String: Any])?["model"] as? [String: Any]
        let feedback = model?["feedback"] as? [String: Int] ?? [:]
        return feedback.values.reduce(0, +)
    }

    deinit {
        core.stop()
        directory.remove()
    }

    /// A small knowledge base with distinct topics.
    static let articles: [ArticleInput] = [
        ArticleInput(id: "reset-password", title: "Reset your password",
                     body: "Open Settings, choose Security and press Reset password. We email you a link that works for one hour.\n\nIf the email does not arrive, check the spam folder.",
                     tags: ["topic:account"]),
        ArticleInput(id: "card-declined", title: "Why was my card declined?",
                     body: "A card is declined when the bank refuses the charge: an expired card, a wrong billing address or a spending limit.\n\nUpdate the card under Billing and try again.",
                     tags: ["topic:billing"]),
        ArticleInput(id: "cancel-subscription", title: "Cancel your subscription",
                     body: "Go to Billing, then Plan, and press Cancel subscription. You keep access until the end of the paid period.",
                     tags: ["topic:billing"]),
        ArticleInput(id: "export-data", title: "Export your data",
                     body: "Under Settings, Data, press Export. You receive a ZIP file with every project as CSV within a few minutes.",
                     tags: ["topic:data"]),
        ArticleInput(id: "invite-teammates", title: "Invite teammates to a workspace",
                     body: "Open the workspace, press Members, then Invite, and enter their email addresses. Invitations expire after seven days.",
                     tags: ["topic:team"]),
        ArticleInput(id: "two-factor", title: "Turn on two-factor authentication",
                     body: "In Settings, Security, press Enable two-factor authentication and scan the QR code with an authenticator app.",
                     tags: ["topic:account"]),
    ]
}

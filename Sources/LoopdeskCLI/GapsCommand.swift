import ArgumentParser
import Foundation
import Logging
import Support

/// `loopdesk gaps`: the open knowledge gaps (and bug clusters), largest first.
struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "List open knowledge gaps and bug clusters, largest first.",
        discussion: """
            With --db FILE, reads the store directly (no core needed); otherwise asks a running service
            (GET /v1/gaps, token from LOOPDESK_TOKEN). --json prints {"gaps": [...], "bug_clusters": [...]}
            with the API's keys.
            """
    )

    @OptionGroup var target: ServiceOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "At most this many of each (1–1000).")
    var limit = 50

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1–1000") }
    }

    func run() async throws {
        let list: GapList
        if let db = target.db {
            guard FileManager.default.fileExists(atPath: db) else { throw CLIError("\(db): no such store") }
            let store = try SQLiteStore(path: db)
            // Reading needs no core: the gateway is never connected.
            let tracker = GapTracker(store: store, articles: store, knowledgeBase: CoreGateway(socketPath: "", collection: "kb", dimension: 0),
                                     configuration: GapConfiguration(), clock: SystemClock(), logger: Logger(label: "loopdesk.gaps"))
            list = GapList(gaps: try tracker.openGaps(kind: .gap, limit: limit), bugClusters: try tracker.openGaps(kind: .bug, limit: limit))
        } else {
            list = try await target.client().send("GET", "/v1/gaps", query: [URLQueryItem(name: "limit", value: String(limit))],
                                                  as: GapList.self)
        }
        if json {
            try CLIJSON.print(list)
            return
        }
        print(Self.table(list.gaps, heading: "Knowledge gaps"))
        print(Self.table(list.bugClusters ?? [], heading: "Bug clusters"))
    }

    /// A plain-text table: id, count, this week's count, mean confidence, last seen, title, an example.
    static func table(_ gaps: [Gap], heading: String) -> String {
        guard !gaps.isEmpty else { return "\(heading): none open\n" }
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        var lines = ["\(heading) (\(gaps.count) open)", "    id  count  week  conf  last seen   title"]
        for gap in gaps {
            lines.append(String(format: "%6lld  %5d  %4d  %.2f  %@  %@", gap.id, gap.count, gap.trend.last?.count ?? 0, gap.confidence,
                                day.string(from: gap.lastSeen), gap.title))
            if let example = gap.questions.first { lines.append("                                      e.g. \"\(example)\"") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

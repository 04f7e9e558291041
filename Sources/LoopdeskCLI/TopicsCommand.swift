import ArgumentParser
import Foundation
import Support
import SupportHTTP

extension TopicMode: ExpressibleByArgument {}

/// `loopdesk topics [list]` and `loopdesk topics set TOPIC MODE`: the roll-out's topics and
/// their modes (docs/ROLLOUT.md).
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Show each topic's mode, threshold and live/shadow figures, or set a topic's mode.",
        subcommands: [TopicsListCommand.self, TopicsSetCommand.self],
        defaultSubcommand: TopicsListCommand.self
    )
}

/// `loopdesk topics`: one line per topic.
struct TopicsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the topics table (the default).")

    @OptionGroup var target: ServiceOptions

    @Flag(name: .long, help: "Print the API's JSON instead of a table.")
    var json = false

    func run() async throws {
        let list: TopicListJSON
        if target.isDirect {
            list = TopicListJSON(topics: try await target.withService { service in try service.topics().map(TopicJSON.init) })
        } else {
            list = try await target.client().send("GET", "/v1/topics", as: TopicListJSON.self)
        }
        if json { return try CLIJSON.print(list) }
        print(TopicsTable.render(list.topics))
    }
}

/// `loopdesk topics set TOPIC MODE`.
struct TopicsSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a topic's mode: live, shadow or off.")

    @Argument(help: "The topic (as `loopdesk topics` lists it).")
    var topic: String

    @Argument(help: "live, shadow or off.")
    var mode: TopicMode

    @OptionGroup var target: ServiceOptions

    func run() async throws {
        let result: TopicJSON
        if target.isDirect {
            result = TopicJSON(try await target.withService { service in try service.setMode(mode, ofTopic: topic) })
        } else {
            let path = "/v1/topics/" + (topic.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? topic)
            result = try await target.client().send("PUT", path, body: try JSONEncoder().encode(["mode": mode.rawValue]),
                                                    as: TopicJSON.self)
        }
        print(TopicsTable.render([result]))
    }
}

/// The topics as a plain-text table.
enum TopicsTable {
    static func render(_ topics: [TopicJSON]) -> String {
        var lines = ["topic\tmode\tjudged\tthreshold (rule)\tlive answered/right/wrong/escalated\tshadow would-answer/right/wrong/rightly-escalated"]
        for t in topics {
            let mode = t.mode + (t.modeSet ? "" : " (default)") + (t.suggestLive ? " → suggest live" : "")
            lines.append("\(t.topic)\t\(mode)\t\(t.judged)\t\(String(format: "%.3f", t.threshold)) (\(t.rule))\t"
                + "\(t.live.answered)/\(t.live.right)/\(t.live.wrong)/\(t.live.escalated)\t"
                + "\(t.shadow.wouldAnswer)/\(t.shadow.wouldBeRight)/\(t.shadow.wouldBeWrong)/\(t.shadow.rightlyEscalated)")
        }
        return lines.joined(separator: "\n")
    }
}

import ArgumentParser
import Foundation
import Support
import SupportHTTP

/// `loopdesk ask "…"`: a question, answered or escalated, as a person reads it.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "Ask the service a question.")

    @Argument(help: "The question.")
    var text: String

    @Option(name: .long, help: "Continue this conversation (a follow-up is understood through its earlier turns).")
    var conversation: String?

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Account context as key=value (plan=pro, page=/billing, …); repeatable.", valueName: "key=value"))
    var context: [ContextPair] = []

    @OptionGroup var target: ServiceOptions

    @Flag(name: .long, help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        // A key given twice keeps its last value.
        let values = Dictionary(context.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let request = AskRequest(text: text, conversationID: conversation, context: values)
        let reply: AskResponse
        if target.isDirect {
            reply = try await target.withService { try await $0.ask(request) }
        } else {
            reply = try await target.client().send("POST", "/v1/ask", body: try JSONEncoder().encode(request), as: AskResponse.self)
        }
        if json { return try CLIJSON.print(reply) }
        let bounds = String(format: "score %.2f (%.2f–%.2f)", reply.score, reply.lower, reply.upper)
        if reply.decision == .answer, let article = reply.article {
            print("ANSWER from \"\(article.title)\" [\(article.id)], \(bounds)")
            print("")
            print(reply.answer)
        } else {
            print("ESCALATE, \(bounds)" + (reply.article.map { " — best candidate \"\($0.title)\" [\($0.id)]" } ?? ""))
        }
        print("")
        print("reason: \(reply.reason)")
        print("impression \(reply.impressionID) · conversation \(reply.conversationID)")
    }
}

/// `loopdesk outcome IMPRESSION resolved|…`: report what happened after an answer.
struct OutcomeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcome",
        abstract: "Report an outcome of an answer: resolved, escalated, corrected, reopened or csat."
    )

    @Argument(help: "The answer's impression id (imp_…).")
    var impression: String

    @Argument(help: "What happened.")
    var outcome: OutcomeKind

    @Option(name: .long, help: "For csat: the rating, 1–5.")
    var csat: Int?

    @Option(name: .long, help: "For corrected: the article the agent used instead.")
    var article: String?

    @Option(name: .long, help: "For corrected: the agent's reply, which becomes a new article.")
    var reply: String?

    @Option(name: .long, help: "An id for this event; sending it again is acknowledged and ignored.")
    var eventID: String?

    @OptionGroup var target: ServiceOptions

    @Flag(name: .long, help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        let request = OutcomeRequest(impressionID: impression, outcome: outcome, csat: csat,
                                     agentReply: reply, articleID: article, eventID: eventID)
        let response: OutcomeResponse
        if target.isDirect {
            response = try await target.withService { try await $0.recordOutcome(request) }
        } else {
            response = try await target.client().send("POST", "/v1/outcomes", body: try JSONEncoder().encode(request),
                                                      as: OutcomeResponse.self)
        }
        if json { return try CLIJSON.print(response) }
        var line = "\(response.status): \(outcome.rawValue) on \(response.impressionID)"
        line += response.delivered ? "" : " (queued: the core is unreachable; it will be delivered when it is back)"
        print(line)
        if let created = response.createdArticle { print("new article from the reply: \"\(created.title)\" [\(created.id)]") }
        if let alias = response.aliasOf { print("the question now leads to \"\(alias.title)\" [\(alias.id)]") }
    }
}

/// `loopdesk reindex`: rebuild the core collection from the store.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the core's collection from the store (every published article and learned alias)."
    )

    @OptionGroup var target: ServiceOptions

    func run() async throws {
        let result: ReindexJSON
        if target.isDirect {
            let progress = StderrProgress("reindexing")
            let rebuilt = try await target.withService { service in
                try await service.reindex { phase, done, total in
                    if phase == "articles" { progress.update(done, total) }
                }
            }
            result = ReindexJSON(articles: rebuilt.articles, aliases: rebuilt.aliases)
        } else {
            result = try await target.client().send("POST", "/v1/reindex", as: ReindexJSON.self)
        }
        print("reindexed \(result.articles) articles and \(result.aliases) aliases")
    }
}

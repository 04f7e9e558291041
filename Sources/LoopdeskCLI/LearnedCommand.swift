import ArgumentParser
import Foundation
import Support
import SupportHTTP

/// `loopdesk learned list|undo`: what the service taught itself, and taking it back (docs/LEARNING.md).
struct LearnedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learned",
        abstract: "List what the service learned (aliases, agents' articles) and undo an item.",
        subcommands: [LearnedListCommand.self, LearnedUndoCommand.self]
    )
}

/// `loopdesk learned list`: one line per learned item, newest first.
struct LearnedListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List learned items, newest first.")

    @OptionGroup var target: ServiceOptions

    @Option(name: .long, help: "alias or article (default: both).")
    var kind: String?

    @Option(name: .long, help: "Only items learned at or after this ISO 8601 date or date-time (2026-12-01, 2026-12-01T09:00:00Z).")
    var since: String?

    @Option(name: .long, help: "At most this many (1–1000).")
    var limit = 50

    @Flag(name: .long, help: "Print the API's JSON instead of a table.")
    var json = false

    func validate() throws {
        if let kind, LearnedItem.Kind(rawValue: kind) == nil { throw ValidationError("--kind must be alias or article") }
        if let since, LearnedQuery.date(since) == nil { throw ValidationError("--since must be an ISO 8601 date or date-time") }
        guard (1...SupportService.maxLearnedPage).contains(limit) else { throw ValidationError("--limit must be 1–\(SupportService.maxLearnedPage)") }
    }

    func run() async throws {
        let list: LearnedListJSON
        if target.isDirect {
            let items = try await target.withService { service in
                try service.learnedItems(kind: kind.flatMap(LearnedItem.Kind.init(rawValue:)), since: since.flatMap(LearnedQuery.date),
                                         limit: limit)
            }
            list = LearnedListJSON(items: items.map(LearnedItemJSON.init))
        } else {
            var query = [URLQueryItem(name: "limit", value: String(limit))]
            if let kind { query.append(URLQueryItem(name: "kind", value: kind)) }
            if let since { query.append(URLQueryItem(name: "since", value: since)) }
            list = try await target.client().send("GET", "/v1/learned", query: query, as: LearnedListJSON.self)
        }
        if json { return try CLIJSON.print(list) }
        let time = ISO8601DateFormatter()
        for item in list.items {
            let what = item.question.map { "\"\($0)\" → " } ?? ""
            let source = item.evidence.map { " (\($0.outcome) via \($0.source)\($0.eventID.map { ", event \($0)" } ?? ""))" } ?? ""
            print("\(item.id)\t\(item.status)\t\(item.origin)\t\(time.string(from: item.createdAt))\t\(what)\(item.article.id): \(item.article.title)\(source)")
        }
        FileHandle.standardError.write(Data("\(list.items.count) learned items\n".utf8))
    }
}

/// `loopdesk learned undo ID`: takes one item back.
struct LearnedUndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Undo a learned item: an alias stops voting (its resolution's credit is taken back); an agent's article is archived."
    )

    @Argument(help: "The item's id, as `learned list` shows it (alias-12, article-7).")
    var id: String

    @OptionGroup var target: ServiceOptions

    func run() async throws {
        let item: LearnedItemJSON
        if target.isDirect {
            item = LearnedItemJSON(try await target.withService { service in try await service.undoLearned(id: id) })
        } else {
            item = try await target.client().send("DELETE", "/v1/learned/" + id, as: LearnedItemJSON.self)
        }
        print("\(item.id) is now \(item.status): \(item.question.map { "\"\($0)\" → " } ?? "")\(item.article.id)")
    }
}

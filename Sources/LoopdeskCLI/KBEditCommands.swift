import ArgumentParser
import Foundation
import Support
import SupportHTTP

/// `loopdesk kb edit ID`: changes an article's title, body, tags or status (`PATCH /v1/articles/{id}`).
struct KBEditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit an article: title, body (from a file), tags, status. A changed text is a new version."
    )

    @Argument(help: "The article's id.")
    var id: String

    @OptionGroup var target: ServiceOptions

    @Option(name: .long, help: "The new title.")
    var title: String?

    @Option(name: .long, help: "A file holding the new body (- for standard input).")
    var bodyFile: String?

    @Option(name: .long, help: "The new tags, comma-separated (an empty string clears them).")
    var tags: String?

    @Option(name: .long, help: "published, archived or draft.")
    var status: String?

    func validate() throws {
        if let status, ArticleStatus(rawValue: status) == nil || status == ArticleStatus.internal.rawValue {
            throw ValidationError("--status must be published, archived or draft")
        }
        if title == nil, bodyFile == nil, tags == nil, status == nil { throw ValidationError("give at least one of --title, --body-file, --tags, --status") }
    }

    func run() async throws {
        var patch = ArticlePatch(title: title, status: status.flatMap(ArticleStatus.init(rawValue:)))
        if let bodyFile {
            let data = bodyFile == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: bodyFile))
            patch.body = String(decoding: data, as: UTF8.self)
        }
        if let tags { patch.tags = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let article: ArticleJSON
        if target.isDirect {
            article = ArticleJSON(try await target.withService { service in try await service.updateArticle(id: id, patch) }, withBody: false)
        } else {
            article = try await target.client().send("PATCH", "/v1/articles/" + KBPath.escape(id), body: try JSONEncoder().encode(patch),
                                                     as: ArticleJSON.self)
        }
        print("\(article.id)\tv\(article.version)\t\(article.status)\t\(article.title)")
    }
}

/// `loopdesk kb archive ID`: never cited again, its aliases stop voting.
struct KBArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive", abstract: "Archive an article: never cited, its aliases stop voting.")

    @Argument(help: "The article's id.")
    var id: String

    @OptionGroup var target: ServiceOptions

    func run() async throws {
        try await KBPath.move(id, to: "archive", target: target) { service in try await service.archiveArticle(id: id) }
    }
}

/// `loopdesk kb publish ID`: an archived article or a reviewed draft is cited again.
struct KBPublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish an archived article or a draft (an agent's reply under review).")

    @Argument(help: "The article's id.")
    var id: String

    @OptionGroup var target: ServiceOptions

    func run() async throws {
        try await KBPath.move(id, to: "publish", target: target) { service in try await service.publishArticle(id: id) }
    }
}

/// What the edit verbs share: the article path, and a status move either way.
enum KBPath {
    /// An article id as one path segment.
    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    /// `POST /v1/articles/{id}/<verb>` with `--server`, or `direct` on the store with `--db`; prints the result.
    static func move(_ id: String, to verb: String, target: ServiceOptions,
                     direct: @escaping (SupportService) async throws -> Article) async throws {
        let article: ArticleJSON
        if target.isDirect {
            article = ArticleJSON(try await target.withService(direct), withBody: false)
        } else {
            article = try await target.client().send("POST", "/v1/articles/\(escape(id))/\(verb)", as: ArticleJSON.self)
        }
        print("\(article.id)\t\(article.status)\t\(article.title)")
    }
}

import ArgumentParser
import Foundation
import Support
import SupportHTTP

/// `loopdesk kb import|list|show|edit|archive|publish`: the knowledge base at a terminal.
struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Import, list, show, edit, archive and publish knowledge-base articles.",
        subcommands: [KBImportCommand.self, KBListCommand.self, KBShowCommand.self, KBEditCommand.self, KBArchiveCommand.self,
                      KBPublishCommand.self]
    )
}

/// `loopdesk kb import PATH`: JSONL, JSON, CSV or a folder of Markdown files.
struct KBImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import articles from JSONL, JSON, CSV, or a folder of Markdown files (front matter for tags).",
        discussion: """
            With --server, posts the articles as JSON Lines in batches to a running service (token from
            LOOPDESK_TOKEN); otherwise writes them with --db FILE --core SOCKET directly. Articles whose title,
            body and tags are unchanged are left alone, so importing the same file again only updates what changed.
            A folder import reads only regular .md files inside the folder, each at most 1 MiB: symbolic links out of
            the folder or to folders, FIFOs, devices and larger files are skipped and listed on standard error.
            """
    )

    @Argument(help: "A .jsonl/.ndjson, .json, .csv or .md file, or a folder of .md files.")
    var path: String

    @OptionGroup var target: ServiceOptions

    @Option(name: .long, help: "With --server: articles per request.")
    var batch = 256

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        if target.server == nil, target.db == nil {
            throw ValidationError("give --server URL (a running service) or --db FILE --core SOCKET (the store directly)")
        }
    }

    func run() async throws {
        let loaded = try KnowledgeBaseImport.loadReport(path: path)
        let articles = loaded.articles
        for file in loaded.skipped {
            FileHandle.standardError.write(Data("skipped \(file)\n".utf8))
        }
        let progress = StderrProgress("importing \(URL(fileURLWithPath: path).lastPathComponent)")
        var summary = ArticleImportSummary()
        if target.isDirect {
            let delivered: Bool
            (summary, delivered) = try await target.withService { service in
                let summary = try await service.upsertArticles(articles) { done, total in progress.update(done, total) }
                return (summary, await service.deliverPending())
            }
            if !delivered {
                FileHandle.standardError.write(Data("note: the core was not reachable; the vectors wait in the store's outbox until a service delivers them\n".utf8))
            }
        } else {
            let client = try target.client()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            var done = 0
            progress.update(0, articles.count)
            for start in stride(from: 0, to: articles.count, by: batch) {
                let part = articles[start..<min(start + batch, articles.count)]
                var body = Data()
                for article in part {
                    body += try encoder.encode(article)
                    body.append(UInt8(ascii: "\n"))
                }
                let reply = try await client.send("POST", "/v1/articles", body: body, contentType: "application/x-ndjson",
                                                  as: ArticleImportJSON.self)
                summary = summary + ArticleImportSummary(created: reply.created, updated: reply.updated, unchanged: reply.unchanged)
                done += part.count
                progress.update(done, articles.count)
            }
        }
        print("\(articles.count) articles: \(summary.created) created, \(summary.updated) updated, \(summary.unchanged) unchanged"
            + (loaded.skipped.isEmpty ? "" : "; \(loaded.skipped.count) files skipped (listed on standard error)"))
    }
}

/// `loopdesk kb list`: one line per article.
struct KBListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List articles: id, version, title, tags.")

    @OptionGroup var target: ServiceOptions

    @Option(name: .long, help: "At most this many.")
    var limit = 1000

    @Option(name: .long, help: "Skip this many first.")
    var offset = 0

    @Flag(name: .long, help: "Include archived articles.")
    var includeArchived = false

    @Option(name: .long, help: "Only articles with this status: published, archived or draft (drafts are agents' replies awaiting review).")
    var status: String?

    @Flag(name: .long, help: "Print the API's JSON instead of a table.")
    var json = false

    func validate() throws {
        if let status, ArticleStatus(rawValue: status) == nil || status == ArticleStatus.internal.rawValue {
            throw ValidationError("--status must be published, archived or draft")
        }
    }

    func run() async throws {
        let page: ArticleListJSON
        if target.isDirect {
            let store = try target.openStore()
            let articles = try status.flatMap(ArticleStatus.init(rawValue:)).map { try store.listArticles(status: $0, limit: limit, offset: offset) }
                ?? store.listArticles(limit: limit, offset: offset, includeArchived: includeArchived)
            page = ArticleListJSON(articles: articles.map { ArticleJSON($0, withBody: false) }, total: try store.articleCount(),
                                   limit: limit, offset: offset, nextOffset: articles.count == limit ? offset + limit : nil)
        } else {
            var query = [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset))]
            if includeArchived { query.append(URLQueryItem(name: "include_archived", value: "true")) }
            if let status { query.append(URLQueryItem(name: "status", value: status)) }
            page = try await target.client().send("GET", "/v1/articles", query: query, as: ArticleListJSON.self)
        }
        if json { return try CLIJSON.print(page) }
        for article in page.articles {
            let status = article.status == "published" ? "" : " (\(article.status))"
            let tags = article.tags.isEmpty ? "" : "  [" + article.tags.joined(separator: ", ") + "]"
            print("\(article.id)\tv\(article.version)\t\(article.title)\(status)\(tags)")
        }
        FileHandle.standardError.write(Data("\(page.articles.count) shown of \(page.total) published\n".utf8))
    }
}

/// `loopdesk kb show ID`: an article with its version history.
struct KBShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an article and its version history.")

    @Argument(help: "The article's id.")
    var id: String

    @OptionGroup var target: ServiceOptions

    @Flag(name: .long, help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        let article: ArticleJSON
        if target.isDirect {
            let store = try target.openStore()
            guard let stored = try store.article(id: id) else { throw CLIError(SupportError.unknownArticle(id).description) }
            article = ArticleJSON(stored, withBody: true, versions: try store.articleVersions(key: stored.key))
        } else {
            article = try await target.client().send("GET", "/v1/articles/" + KBPath.escape(id), as: ArticleJSON.self)
        }
        if json { return try CLIJSON.print(article) }
        print("\(article.title)")
        print("id \(article.id) · version \(article.version) · \(article.status) · origin \(article.origin)"
            + (article.tags.isEmpty ? "" : " · tags " + article.tags.joined(separator: ", ")))
        print("")
        print(article.body ?? "")
        if let versions = article.versions, versions.count > 1 {
            print("")
            print("history:")
            for version in versions {
                print("  v\(version.version)  \(ISO8601DateFormatter().string(from: version.changedAt))  \(version.title)")
            }
        }
    }
}

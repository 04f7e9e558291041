import Foundation
import Hummingbird
import Support

/// `POST /v1/articles`, `GET /v1/articles`, `GET /v1/articles/{id}`: the knowledge base in and out.
extension SupportAPI {
    /// The largest page `GET /v1/articles` serves.
    static let maxPageSize = 1000

    func registerArticles(on router: Router<Context>) {
        router.post("/v1/articles") { request, _ -> Response in
            let body = try await JSONBody.collect(request, limit: configuration.maxArticleBodyBytes, what: "articles")
            let inputs = try Self.articles(in: body, contentType: request.headers[.contentType])
            let summary = try await service.upsertArticles(inputs)
            return JSONBody.response(ArticleImportJSON(received: inputs.count, created: summary.created, updated: summary.updated,
                                                 unchanged: summary.unchanged))
        }

        router.get("/v1/articles") { request, _ -> Response in
            let limit = try Self.intParameter(request, "limit", default: 50, range: 1...Self.maxPageSize)
            let offset = try Self.intParameter(request, "offset", default: 0, range: 0...Int(Int32.max))
            let archived = request.uri.queryParameters.get("include_archived").map { $0 == "true" || $0 == "1" } ?? false
            let page = try service.store.listArticles(limit: limit, offset: offset, includeArchived: archived)
            let total = try service.store.articleCount()
            return JSONBody.response(ArticleListJSON(articles: page.map { ArticleJSON($0, withBody: false) }, total: total,
                                                 limit: limit, offset: offset,
                                                 nextOffset: page.count == limit ? offset + page.count : nil))
        }

        router.get("/v1/articles/:id") { _, context -> Response in
            let raw = try context.parameters.require("id")
            let id = raw.removingPercentEncoding ?? raw
            guard let article = try service.store.article(id: id) else { throw SupportError.unknownArticle(id) }
            let versions = try service.store.articleVersions(key: article.key)
            return JSONBody.response(ArticleJSON(article, withBody: true, versions: versions))
        }
    }

    /// The articles of a `POST /v1/articles` body: one JSON object, a JSON array, JSON Lines
    /// (one object per line; also chosen by `Content-Type: application/x-ndjson` or
    /// `application/jsonl`), or CSV (`Content-Type: text/csv`).
    /// - Throws: ``APIError/malformedJSON(_:)`` naming the line or the article that is wrong,
    ///   ``SupportError/invalidArticle(id:reason:)`` for an article that cannot be stored.
    static func articles(in body: Data, contentType: String?) throws -> [ArticleInput] {
        guard body.contains(where: { !JSONBody.isWhitespace($0) }) else {
            throw APIError.malformedJSON("the articles body is empty; send one {id, title, body, tags} object, an array, or JSON Lines")
        }
        let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let format: KnowledgeBaseFormat
        switch type {
        case "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines": format = .jsonl
        case "text/csv": format = .csv
        default: format = looksLikeJSONLines(body) ? .jsonl : .json
        }
        do {
            return try KnowledgeBaseImport.parse(body, format: format, source: "request body")
        } catch let SupportError.invalidRequest(why) {
            throw APIError.malformedJSON(why)
        }
    }

    /// More than one non-blank line, each holding one object: JSON Lines rather than one
    /// (possibly pretty-printed) JSON document.
    static func looksLikeJSONLines(_ body: Data) -> Bool {
        var objects = 0
        for line in body.split(separator: UInt8(ascii: "\n")) {
            let trimmed = line.drop(while: JSONBody.isWhitespace).reversed().drop(while: JSONBody.isWhitespace)
            guard let last = trimmed.first else { continue }
            guard line.first(where: { !JSONBody.isWhitespace($0) }) == UInt8(ascii: "{"), last == UInt8(ascii: "}") else { return false }
            objects += 1
        }
        return objects > 1
    }

    static func intParameter(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalidRequest("query parameter \(name)=\(text) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}

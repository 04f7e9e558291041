import Foundation
import Hummingbird
import Support

/// The knowledge base in and out: `POST /v1/articles`, `GET /v1/articles` (`?status=draft` is
/// the review queue of agents' replies), `GET /v1/articles/{id}`, `PATCH /v1/articles/{id}` (title,
/// body, tags, status), `POST /v1/articles/{id}/archive` and `/publish`.
struct ArticleRoutes: RouteGroup {
    /// The largest page `GET /v1/articles` serves.
    static let maxPageSize = 1000

    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxArticleBodyBytes``.
    let maxBodyBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/articles") { request, _ -> Response in
            try ContentType.require(request, ContentType.articles, what: "articles")
            let body = try await JSONBody.collect(request, limit: maxBodyBytes, what: "articles")
            let inputs = try ArticleUpload.articles(in: body, contentType: request.headers[.contentType])
            let summary = try await service.upsertArticles(inputs)
            return JSONBody.response(ArticleImportJSON(received: inputs.count, created: summary.created, updated: summary.updated,
                                                       unchanged: summary.unchanged))
        }

        router.get("/v1/articles") { request, _ -> Response in
            let limit = try request.integerQueryParameter("limit", default: 50, range: 1...Self.maxPageSize)
            let offset = try request.integerQueryParameter("offset", default: 0, range: 0...Int(Int32.max))
            let archived = request.uri.queryParameters.get("include_archived").map { $0 == "true" || $0 == "1" } ?? false
            let page: [Article]
            if let raw = request.uri.queryParameters.get("status") {
                guard let status = ArticleStatus(rawValue: String(raw)), status != .internal else {
                    throw APIError.invalidRequest("status must be published, archived or draft, not \"\(raw)\"")
                }
                page = try service.store.listArticles(status: status, limit: limit, offset: offset)
            } else {
                page = try service.store.listArticles(limit: limit, offset: offset, includeArchived: archived)
            }
            let total = try service.store.articleCount()
            return JSONBody.response(ArticleListJSON(articles: page.map { ArticleJSON($0, withBody: false) }, total: total,
                                                     limit: limit, offset: offset,
                                                     nextOffset: page.count == limit ? offset + page.count : nil))
        }

        router.get("/v1/articles/:id") { _, context -> Response in
            let id = try Self.id(context)
            guard let article = try service.store.article(id: id) else { throw SupportError.unknownArticle(id) }
            let versions = try service.store.articleVersions(key: article.key)
            return JSONBody.response(ArticleJSON(article, withBody: true, versions: versions))
        }

        router.patch("/v1/articles/:id") { request, context -> Response in
            let patch = try await JSONBody.read(ArticlePatch.self, from: request, limit: maxBodyBytes, what: "article edit")
            let article = try await service.updateArticle(id: try Self.id(context), patch)
            return JSONBody.response(ArticleJSON(article, withBody: true))
        }

        router.post("/v1/articles/:id/archive") { _, context -> Response in
            JSONBody.response(ArticleJSON(try await service.archiveArticle(id: try Self.id(context)), withBody: false))
        }

        router.post("/v1/articles/:id/publish") { _, context -> Response in
            JSONBody.response(ArticleJSON(try await service.publishArticle(id: try Self.id(context)), withBody: false))
        }
    }

    /// The article id of the path, percent-decoded.
    static func id(_ context: LoopdeskRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }
}

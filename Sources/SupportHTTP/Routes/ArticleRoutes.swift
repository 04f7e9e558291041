import Foundation
import Hummingbird
import Support

/// `POST /v1/articles`, `GET /v1/articles`, `GET /v1/articles/{id}`: the knowledge base in and out.
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
}

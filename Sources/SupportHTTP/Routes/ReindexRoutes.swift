import Hummingbird
import Support

/// `POST /v1/reindex`: rebuilds the core's collection from the store, every published
/// article and learned alias (``SupportService/reindex(progress:)``).
struct ReindexRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/reindex") { request, _ -> Response in
            // No body; a form post from a web page (text/plain, urlencoded) is refused all the same.
            try ContentType.require(request, ContentType.json, what: "reindex", optional: true)
            let rebuilt = try await service.reindex()
            return JSONBody.response(ReindexJSON(articles: rebuilt.articles, aliases: rebuilt.aliases))
        }
    }
}

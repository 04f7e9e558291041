import Foundation
import Hummingbird
import Support

/// `GET /v1/gaps?limit=N` — what the service does not know (``GapTracker``):
/// `{"gaps": [{id, title, count, questions, first_seen, last_seen, trend, status, kind, confidence}],
///   "bug_clusters": [...]}`, open clusters only, largest first, at most `limit` of
/// each (default 50, 1–1000). Empty lists when the service's store keeps no gaps.
/// Behind the API's token like the rest of `/v1`.
struct GapRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/gaps") { request, _ -> Response in
            let limit = try request.integerQueryParameter("limit", default: 50, range: 1...1000)
            return JSONBody.response(GapList(gaps: try service.openGaps(limit: limit),
                                             bugClusters: try service.bugClusters(limit: limit)))
        }
    }
}

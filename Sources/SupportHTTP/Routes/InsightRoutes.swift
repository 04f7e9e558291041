import Foundation
import Hummingbird
import Support

/// `GET /v1/insights` — ``InsightsReport``: topic spikes, recurring gaps and feature-request
/// clusters, over the open gaps and bug clusters (largest 50 of each). Needs the bearer token.
struct InsightRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/insights") { _, _ -> Response in
            return JSONBody.response(try service.insights.report(gaps: try service.openGaps() + service.bugClusters()))
        }
    }
}

import Foundation
import Hummingbird
import Support

/// `GET /v1/insights` — ``InsightsReport``: topic spikes, recurring gaps and feature-request
/// clusters, over the open gaps and bug clusters (largest 50 of each). Needs the bearer token;
/// a store that keeps no reports answers 501 `reports_unavailable`.
struct InsightRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/insights") { _, _ -> Response in
            let insights = try service.insightsForAPI()
            return JSONBody.response(try insights.report(gaps: try service.openGaps() + service.bugClusters()))
        }
    }
}

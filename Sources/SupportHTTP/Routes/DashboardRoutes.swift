import Foundation
import Hummingbird
import Support

/// The dashboard: server-rendered HTML pages with inline SVG charts and inline
/// CSS — no scripts, no CDN, nothing fetched from elsewhere.
///
/// - `/dashboard` — the learning curve, escalation by topic, confidence histograms (``DashboardOverview``).
/// - `/dashboard/gaps` — open knowledge gaps with examples, bug clusters, insights (``DashboardGaps``).
/// - `/dashboard/decisions` — recent decisions with their reasons and outcomes (``DashboardDecisions``).
///
/// The pages need the service's token like the API, as `Authorization: Bearer <token>`
/// or — so a browser can open them — as `?token=<token>` (``DashboardAuthMiddleware``);
/// links between the pages keep the query token. `/dashboard` is therefore among
/// ``LoopdeskHTTPConfiguration/publicPathPrefixes`` by default: the API's header-only
/// check steps aside and this group's own check applies.
struct DashboardRoutes: RouteGroup {
    let service: SupportService
    /// The service's token, which this group checks itself.
    let token: String?

    func register(on router: Router<LoopdeskRequestContext>) {
        let group = router.group("/dashboard").add(middleware: DashboardAuthMiddleware<LoopdeskRequestContext>(token: token))
        group.get { request, _ -> Response in
            let reports = service.reports
            return try DashboardOverview.page(reports, token: Self.token(request)).response(generatedAt: service.clock.now)
        }
        group.get("gaps") { request, _ -> Response in
            let insights = service.insights
            let reports = service.reports
            let gaps = try service.openGaps()
            let bugs = try service.bugClusters()
            return DashboardGaps.page(gaps: gaps, bugs: bugs, insights: try insights.report(gaps: gaps + bugs),
                                      weekly: try reports.resolution(by: .week, days: 84),
                                      token: Self.token(request)).response(generatedAt: service.clock.now)
        }
        group.get("decisions") { request, _ -> Response in
            try DashboardDecisions.page(service, token: Self.token(request)).response(generatedAt: service.clock.now)
        }
    }

    /// The `?token=` a browser opened the page with, carried into the page's links.
    static func token(_ request: Request) -> String? {
        request.uri.queryParameters.get("token")
    }
}

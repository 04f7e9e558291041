import Foundation
import Hummingbird
import Support

/// What the service has learned, as JSON reports (``SupportReports``):
///
/// - `GET /v1/reports/resolution?by=day|week&days=N` — ``ResolutionReport``: the learning curve
///   (autonomous resolution, escalation, reopen and wrong-answer rates, CSAT), every period of the
///   last `days` (default 30 by day, 84 by week; at most 730).
/// - `GET /v1/reports/topics?days=N` — ``TopicReport``: the same rates per topic, busiest first.
/// - `GET /v1/reports/confidence?days=N&bins=B` — ``ConfidenceReport``: histograms of `score` and
///   `lower`, overall and per topic (`bins` 2–50, default 10).
///
/// All need the bearer token like the rest of the API.
struct ReportRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/reports/resolution") { request, _ -> Response in
            let by = request.uri.queryParameters.get("by") ?? "day"
            guard let period = ReportPeriod(rawValue: by) else {
                throw APIError.invalidRequest("query parameter by=\(by) must be day or week")
            }
            let days = try request.integerQueryParameter("days", default: period == .day ? 30 : 84, range: 1...730)
            return JSONBody.response(try service.reports.resolution(by: period, days: days))
        }
        router.get("/v1/reports/topics") { request, _ -> Response in
            let days = try request.integerQueryParameter("days", default: 30, range: 1...730)
            return JSONBody.response(try service.reports.topics(days: days))
        }
        router.get("/v1/reports/confidence") { request, _ -> Response in
            let days = try request.integerQueryParameter("days", default: 30, range: 1...730)
            let bins = try request.integerQueryParameter("bins", default: 10, range: 2...50)
            return JSONBody.response(try service.reports.confidence(days: days, bins: bins))
        }
    }
}

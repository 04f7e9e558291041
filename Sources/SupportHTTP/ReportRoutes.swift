import Foundation
import Hummingbird
import Support

/// What the service has learned, as JSON and as Prometheus text:
///
/// - `GET /v1/reports/resolution?by=day|week&days=N` — ``ResolutionReport``: the learning curve
///   (autonomous resolution, escalation, reopen and wrong-answer rates, CSAT), every period of the
///   last `days` (default 30 by day, 84 by week; at most 730).
/// - `GET /v1/reports/topics?days=N` — ``TopicReport``: the same rates per topic, busiest first.
/// - `GET /v1/reports/confidence?days=N&bins=B` — ``ConfidenceReport``: histograms of `score` and
///   `lower`, overall and per topic (`bins` 2–50, default 10).
/// - `GET /v1/insights` — ``InsightsReport``: topic spikes, recurring gaps, feature-request clusters.
/// - `GET /metrics` — ``LoopdeskMetrics`` in the Prometheus text format.
///
/// All need the bearer token like the rest of the API.
struct ReportRoutes: Sendable {
    typealias Context = LoopdeskRequestContext

    let service: SupportService

    func register(on router: Router<Context>) {
        router.get("/v1/reports/resolution") { request, _ -> Response in
            let by = request.uri.queryParameters.get("by") ?? "day"
            guard let period = ReportPeriod(rawValue: by) else {
                throw APIError.invalidRequest("query parameter by=\(by) must be day or week")
            }
            let days = try SupportAPI.intParameter(request, "days", default: period == .day ? 30 : 84, range: 1...730)
            return JSONBody.response(try reports().resolution(by: period, days: days))
        }
        router.get("/v1/reports/topics") { request, _ -> Response in
            let days = try SupportAPI.intParameter(request, "days", default: 30, range: 1...730)
            return JSONBody.response(try reports().topics(days: days))
        }
        router.get("/v1/reports/confidence") { request, _ -> Response in
            let days = try SupportAPI.intParameter(request, "days", default: 30, range: 1...730)
            let bins = try SupportAPI.intParameter(request, "bins", default: 10, range: 2...50)
            return JSONBody.response(try reports().confidence(days: days, bins: bins))
        }
        router.get("/v1/insights") { _, _ -> Response in
            guard let insights = service.insights else { throw Self.unavailable }
            return JSONBody.response(try insights.report(gaps: try Self.openGaps(service, kind: .gap) + Self.openGaps(service, kind: .bug)))
        }
        router.get("/metrics") { _, _ -> Response in
            var counts: [GapKind: Int] = [:]
            for kind in GapKind.allCases { counts[kind] = try service.gaps?.store.gaps(kind: kind, status: .open, limit: 1_000_000).count ?? 0 }
            let text = try LoopdeskMetrics.shared(for: service).scrape(service, openGaps: counts)
            var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
            headers[.contentLength] = String(text.utf8.count)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    func reports() throws -> SupportReports {
        guard let reports = service.reports else { throw Self.unavailable }
        return reports
    }

    static let unavailable = APIError(.notImplemented, code: "reports_unavailable",
                                      message: "this service's store does not answer report queries (it does not conform to ReportStore)")

    /// The open gaps or bug clusters of the service's gap tracker, largest first, at most
    /// `limit`; empty when the service tracks no gaps.
    static func openGaps(_ service: SupportService, kind: GapKind, limit: Int = 50) throws -> [Gap] {
        try service.gaps?.openGaps(kind: kind, limit: limit) ?? []
    }
}

extension LoopdeskHTTPServer {
    /// Registers what the service shows of its learning: the reports, `/v1/insights`,
    /// `/metrics`, `POST /v1/import/tickets` and the dashboard pages.
    static func registerLearningViews(on router: Router<Context>, service: SupportService,
                                      configuration: LoopdeskHTTPConfiguration) {
        ReportRoutes(service: service).register(on: router)
        TicketImportRoutes(service: service, configuration: configuration).register(on: router)
        DashboardRoutes(service: service, token: configuration.token).register(on: router)
    }
}

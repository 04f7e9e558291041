import Foundation
import Hummingbird
import ReportPages
import Support

/// The roll-out's evidence (``SupportService/rolloutReport(now:)``):
///
/// - `GET /v1/reports/rollout` — ``RolloutReport``: the baseline beside day 30, 60 and 90 after
///   deployment, per topic, every rate with its 95 % interval (JSON in `RolloutReport-json.swift`);
///   `?format=html` answers the page `/dashboard/rollout` shows, as one standalone document.
/// - `POST /v1/baseline?format=zendesk|freshdesk|intercom|csv` — a pre-deployment helpdesk export
///   as the body (what `loopdesk baseline import --server` sends), read as it arrives like
///   `POST /v1/import/tickets`; counted per topic and stored in place of any earlier baseline
///   (``SupportService/importBaseline(_:source:)``). Answers
///   `{"tickets", "mapped_by_tag", "mapped_by_nearest_article", "without_topic", "baseline"}`.
struct RolloutRoutes: RouteGroup {
    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxTicketImportBytes``: a baseline is an export like any other.
    let maxBodyBytes: Int
    /// ``LoopdeskHTTPConfiguration/maxTicketRecordBytes``.
    let maxRecordBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/reports/rollout") { request, _ -> Response in
            let report = try service.rolloutReport()
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json": return JSONBody.response(report.jsonValue)
            case "html": return HTMLBody.response(RolloutPage.document(report))
            case let other: throw APIError.invalidRequest("query parameter format=\(other) must be json or html")
            }
        }
        router.post("/v1/baseline") { request, _ -> Response in
            let format = try TicketImportRoutes.format(of: request)
            try ContentType.require(request, format == .csv ? ["text/csv"] : ContentType.json, what: "\(format.rawValue) export")
            let tickets = try await TicketImportRoutes.readExport(request, format: format, maxBodyBytes: maxBodyBytes,
                                                                  maxRecordBytes: maxRecordBytes)
            let summary = try await service.importBaseline(tickets, source: format.rawValue)
            return JSONBody.response(summary.jsonValue)
        }
    }
}

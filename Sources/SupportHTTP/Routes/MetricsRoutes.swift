import Foundation
import Hummingbird
import Support

/// `GET /metrics` — ``LoopdeskMetrics`` in the Prometheus text format 0.0.4. Needs the bearer
/// token like the API (a scraper sends it as `Authorization: Bearer …`).
struct MetricsRoutes: RouteGroup {
    let service: SupportService
    /// The metrics the server was built with; ``AskTimingMiddleware`` records into the same ones.
    let metrics: LoopdeskMetrics

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            let text = try metrics.scrape(service, openGaps: try openGapCounts())
            var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
            headers[.contentLength] = String(text.utf8.count)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// Every open cluster per kind.
    func openGapCounts() throws -> [GapKind: Int] {
        var counts: [GapKind: Int] = [:]
        for kind in GapKind.allCases { counts[kind] = try service.gaps.store.gaps(kind: kind, status: .open, limit: 1_000_000).count }
        return counts
    }
}

import Foundation
import Hummingbird
import Support

/// `GET /metrics` — ``LoopdeskMetrics`` in the Prometheus text format 0.0.4. Needs the bearer
/// token like the API (a scraper sends it as `Authorization: Bearer …`). Reads the store's
/// running counters only, so a scrape costs the same however long the service has run.
struct MetricsRoutes: RouteGroup {
    /// Whose open workspaces are scraped (each series labelled `workspace`).
    let workspaces: Workspaces
    /// The metrics the server was built with; ``AskTimingMiddleware`` records into the same ones.
    let metrics: LoopdeskMetrics

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            let text = try metrics.scrape(workspaces.openServices())
            var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
            headers[.contentLength] = String(text.utf8.count)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}

import Hummingbird
import Support

/// `GET /v1/health`: whether the service can answer now. No token needed (the path is in
/// ``LoopdeskHTTPConfiguration/publicPaths``), so a load balancer or an uptime check can call it.
struct HealthRoutes: RouteGroup {
    /// The body of `GET /v1/health`.
    struct Health: Encodable {
        struct Core: Encodable {
            var reachable: Bool
        }
        struct Outbox: Encodable {
            var pending: Int
        }
        /// `ok`, or `degraded` while the core is unreachable (asking fails with 503;
        /// outcomes and articles are still accepted and queued).
        var status: String
        var core: Core
        var outbox: Outbox
    }

    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/health") { _, _ -> Response in
            let reachable = await service.coreIsReachable()
            let pending = try service.store.pendingOperationCount()
            return JSONBody.response(Health(status: reachable ? "ok" : "degraded", core: .init(reachable: reachable),
                                            outbox: .init(pending: pending)))
        }
    }
}

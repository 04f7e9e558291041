import Hummingbird
import Support

/// `GET /v1/health`: whether the service can answer now. No token needed, so a
/// load balancer or an uptime check can call it.
extension SupportAPI {
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

    func registerHealth(on router: Router<Context>) {
        router.get("/v1/health") { _, _ -> Response in
            let reachable = await service.coreIsReachable()
            let pending = try service.store.pendingOperationCount()
            return JSONBody.response(Health(status: reachable ? "ok" : "degraded", core: .init(reachable: reachable),
                                            outbox: .init(pending: pending)))
        }
    }
}

import Hummingbird
import Support

/// `GET /v1/health`: whether the service can answer now. No token needed (the path is in
/// ``LoopdeskHTTPConfiguration/publicPaths``), so a load balancer or an uptime check can call it.
///
/// Without the token it says only `{"status": "ok"}` or `"degraded"`: nothing about the
/// service's insides (queue sizes, the core) goes to whoever can reach the port. With the
/// token (or on a service without one) it adds the core's reachability and the outbox's
/// length, and with a helpdesk write-back account (`--zendesk`, …) the comments still owed to
/// the helpdesks (`helpdesk_writes`: pending, failed for good, the newest one's last error).
/// Either way it costs one core PING and one counter read (plus, with write-back, one count
/// over the undelivered comments), whatever the history.
struct HealthRoutes: RouteGroup {
    /// The body of `GET /v1/health`.
    struct Health: Encodable {
        struct Core: Encodable {
            var reachable: Bool
        }
        struct Outbox: Encodable {
            var pending: Int
        }
        struct HelpdeskWrites: Encodable {
            var pending: Int
            var failed: Int
            var lastError: String?

            enum CodingKeys: String, CodingKey {
                case pending, failed
                case lastError = "last_error"
            }
        }
        /// `ok`, or `degraded` while the core is unreachable (asking fails with 503;
        /// outcomes and articles are still accepted and queued).
        var status: String
        /// Only for a caller with the token.
        var core: Core?
        /// Only for a caller with the token.
        var outbox: Outbox?
        /// Only for a caller with the token, on a service that writes back into a helpdesk.
        var helpdeskWrites: HelpdeskWrites?

        enum CodingKeys: String, CodingKey {
            case status, core, outbox
            case helpdeskWrites = "helpdesk_writes"
        }
    }

    let service: SupportService
    /// The service's token: the details are for its holders.
    let token: String?

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/health") { request, _ -> Response in
            let reachable = await service.coreIsReachable()
            var health = Health(status: reachable ? "ok" : "degraded")
            if token.map({ DashboardAuthMiddleware.presentsBearer(request, expected: $0) }) ?? true {
                health.core = .init(reachable: reachable)
                health.outbox = .init(pending: try service.store.pendingOperationCount())
                if !service.configuration.helpdesks.accounts.isEmpty {
                    let backlog = try service.helpdeskBacklog()
                    health.helpdeskWrites = .init(pending: backlog.pending, failed: backlog.failed, lastError: backlog.lastError)
                }
            }
            return JSONBody.response(health)
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Support

/// The answer service's HTTP API (docs/API.md): the module's entry type.
///
/// It turns a ``SupportService`` into a Hummingbird application: JSON in and
/// out with snake_case keys, bearer-token authentication on everything but
/// `GET /v1/health` (without a token: loopback callers only, no web page),
/// a rate limit per credential, an idle timeout and a connection cap per
/// server, and every refusal as `{"error": {"code", "message"}}` with the
/// status of ``SupportError/httpStatus``. docs/OPERATIONS.md §9–10 lists the limits.
///
/// ```swift
/// let app = LoopdeskHTTPServer.buildApplication(service: service,
///                                               configuration: .init(port: 8080, token: "s3cret"))
/// try await app.runService()        // SIGTERM / SIGINT shut it down gracefully
/// ```
public enum LoopdeskHTTPServer {
    /// The request context every route of the API is written against.
    public typealias Context = LoopdeskRequestContext

    /// Builds the router of a service with one workspace, the default one: see
    /// ``buildRouter(workspaces:configuration:metrics:logger:)``.
    public static func buildRouter(service: SupportService, configuration: LoopdeskHTTPConfiguration,
                                   metrics: LoopdeskMetrics = LoopdeskMetrics(),
                                   logger: Logger = Logger(label: "loopdesk.http")) -> Router<Context> {
        buildRouter(workspaces: Workspaces(serving: service), configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Builds the router: error, loopback-only (without a token), rate-limit, workspace dispatch,
    /// authentication and timing middleware, then every route group of the default workspace
    /// and the workspace routes.
    ///
    /// `/v1/w/{workspace}/…` is served by that workspace's own router (``WorkspaceRouters``),
    /// built from the same route groups over its service; the list of route groups in
    /// ``routeGroups(service:configuration:)`` is the whole API of one workspace.
    /// - Parameters:
    ///   - workspaces: the deployment's workspaces; the default one serves the unprefixed routes.
    ///   - configuration: token, body limits, public paths.
    ///   - metrics: what `POST /v1/ask` is timed into and `GET /metrics` renders; one set per
    ///     server, so pass your own only to read it elsewhere too.
    ///   - logger: where unexpected (500) errors are logged.
    /// - Returns: a router ready for `Application(router:)` or for tests.
    public static func buildRouter(workspaces: Workspaces, configuration: LoopdeskHTTPConfiguration,
                                   metrics: LoopdeskMetrics = LoopdeskMetrics(),
                                   logger: Logger = Logger(label: "loopdesk.http")) -> Router<Context> {
        let router = Router(context: Context.self)
        let authority = TokenAuthority(adminToken: configuration.token, workspaces: workspaces)
        // Order matters: middleware applies to the routes added after it, and the
        // error middleware must wrap the others so a 401, 403 or 429 is JSON too.
        let sessions = DashboardSessions(lifetime: configuration.sessionLifetime, capacity: configuration.maxSessions)
        router.add(middleware: JSONErrorMiddleware(logger: logger))
        // Without a token, only local programs: no browser page, no foreign Host (DNS rebinding).
        if configuration.token == nil { router.add(middleware: LoopbackOnlyMiddleware<Context>()) }
        if let limit = configuration.rateLimit {
            router.add(middleware: RateLimitMiddleware(limiter: RequestRateLimiter(limit: limit), authority: authority, sessions: sessions))
        }
        let auth = { (workspace: WorkspaceName) in
            BearerAuthMiddleware<Context>(authority: authority, workspace: workspace, publicPaths: configuration.publicPaths,
                                          publicPathPrefixes: configuration.publicPathPrefixes)
        }
        let routers = WorkspaceRouters(workspaces: workspaces) { service in
            let workspaceRouter = Router(context: Context.self)
            workspaceRouter.add(middleware: JSONErrorMiddleware(logger: logger))
            workspaceRouter.add(middleware: AskTimingMiddleware<Context>(metrics: metrics))
            for group in routeGroups(service: service, configuration: configuration) {
                group.register(on: workspaceRouter)
            }
            return workspaceRouter.buildResponder()
        }
        // Checks the token itself, for the workspace in the path, before the workspace's router runs.
        router.add(middleware: WorkspaceDispatchMiddleware(routers: routers, auth: auth(.default)))
        router.add(middleware: auth(.default))
        router.add(middleware: AskTimingMiddleware<Context>(metrics: metrics))
        let service = workspaces.defaultService
        let routes: [any RouteGroup] = routeGroups(service: service, configuration: configuration) + [
            // The deployment's workspaces, docs/WORKSPACES.md (admin token only).
            WorkspaceRoutes(workspaces: workspaces),
            MetricsRoutes(workspaces: workspaces, metrics: metrics),
            // What the service has learned, docs/DASHBOARD.md.
            DashboardLoginRoutes(token: configuration.token, sessions: sessions, secureCookies: configuration.secureCookies),
            DashboardRoutes(workspaces: workspaces, token: configuration.token, sessions: sessions),
        ]
        for group in routes { group.register(on: router) }
        return router
    }

    /// The API of one workspace (docs/API.md), served at `/v1/…` for the default workspace and
    /// at `/v1/w/{workspace}/…` for each other one: each group is a type in `Routes/` named
    /// after what it serves, registering its own paths.
    static func routeGroups(service: SupportService, configuration: LoopdeskHTTPConfiguration) -> [any RouteGroup] {
        [
            HealthRoutes(service: service, token: configuration.token),
            ArticleRoutes(service: service, maxBodyBytes: configuration.maxArticleBodyBytes),
            AskRoutes(service: service, maxBodyBytes: configuration.maxAskBodyBytes),
            OutcomeRoutes(service: service, maxBodyBytes: configuration.maxOutcomeBodyBytes),
            LearnedRoutes(service: service),
            TopicRoutes(service: service),
            EventRoutes(service: service, maxBodyBytes: configuration.maxEventBodyBytes,
                        helpdeskSecrets: configuration.helpdeskSecrets, token: configuration.token,
                        acceptToken: configuration.helpdeskRoutesAcceptToken),
            ReindexRoutes(service: service),
            TicketImportRoutes(service: service, maxBodyBytes: configuration.maxTicketImportBytes,
                               maxRecordBytes: configuration.maxTicketRecordBytes),
            GapRoutes(service: service),
            ReportRoutes(service: service),
            RolloutRoutes(service: service, maxBodyBytes: configuration.maxTicketImportBytes,
                          maxRecordBytes: configuration.maxTicketRecordBytes),
            InsightRoutes(service: service),
        ]
    }

    /// Builds the application of a service with one workspace: see
    /// ``buildApplication(workspaces:configuration:metrics:logger:)``.
    public static func buildApplication(service: SupportService, configuration: LoopdeskHTTPConfiguration,
                                        metrics: LoopdeskMetrics = LoopdeskMetrics(),
                                        logger: Logger = Logger(label: "loopdesk.http"))
        -> Application<RouterResponder<Context>> {
        buildApplication(workspaces: Workspaces(serving: service), configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Builds the application that serves ``buildRouter(workspaces:configuration:metrics:logger:)`` on
    /// `configuration.host:configuration.port`, each HTTP/1 connection guarded by the idle timeout
    /// and the connection cap (``ConnectionRegistry``).
    ///
    /// Run it with `runService()` (graceful shutdown on SIGTERM and SIGINT), or inside a
    /// `ServiceGroup` of your own; test it with HummingbirdTesting's `app.test(.router)`.
    /// - Parameters:
    ///   - workspaces: the deployment's workspaces.
    ///   - configuration: address, token, body limits, public paths.
    ///   - metrics: the server's metrics (a fresh set unless given).
    ///   - logger: the server's and the routes' logger.
    public static func buildApplication(workspaces: Workspaces, configuration: LoopdeskHTTPConfiguration,
                                        metrics: LoopdeskMetrics = LoopdeskMetrics(),
                                        logger: Logger = Logger(label: "loopdesk.http"))
        -> Application<RouterResponder<Context>> {
        let router = buildRouter(workspaces: workspaces, configuration: configuration, metrics: metrics, logger: logger)
        let connections = ConnectionRegistry(capacity: configuration.maxConnections)
        let idleTimeout = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000
            + configuration.idleTimeout.components.attoseconds / 1_000_000_000)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(registry: connections, idleTimeout: idleTimeout)])
        return Application(router: router, server: .http1(configuration: http1),
                           configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                                   serverName: configuration.serverName),
                           logger: logger)
    }
}

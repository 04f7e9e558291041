import Foundation
import Hummingbird
import Logging
import Support

/// The answer service's HTTP API (docs/API.md): the module's entry type.
///
/// It turns a ``SupportService`` into a Hummingbird application: JSON in and
/// out with snake_case keys, bearer-token authentication on everything but
/// `GET /v1/health`, and every refusal as `{"error": {"code", "message"}}`
/// with the status of ``SupportError/httpStatus``.
///
/// ```swift
/// let app = LoopdeskHTTPServer.buildApplication(service: service,
///                                               configuration: .init(port: 8080, token: "s3cret"))
/// try await app.runService()        // SIGTERM / SIGINT shut it down gracefully
/// ```
public enum LoopdeskHTTPServer {
    /// The request context every route of the API is written against.
    public typealias Context = LoopdeskRequestContext

    /// Builds the router: error and authentication middleware, the `/v1` API,
    /// then the report routes of ``registerReportRoutes(on:service:configuration:)``.
    /// - Parameters:
    ///   - service: the answer service the routes call.
    ///   - configuration: token, body limits, public paths.
    ///   - logger: where unexpected (500) errors are logged.
    /// - Returns: a router ready for `Application(router:)` or for tests.
    public static func buildRouter(service: SupportService, configuration: LoopdeskHTTPConfiguration,
                                   logger: Logger = Logger(label: "loopdesk.http")) -> Router<Context> {
        let router = Router(context: Context.self)
        // Order matters: middleware applies to the routes added after it, and the
        // error middleware must wrap the authentication one so a 401 is JSON too.
        router.add(middleware: JSONErrorMiddleware(logger: logger))
        router.add(middleware: BearerAuthMiddleware(token: configuration.token, publicPaths: configuration.publicPaths,
                                                    publicPathPrefixes: configuration.publicPathPrefixes))
        router.add(middleware: AskTimingMiddleware<Context>(metrics: .shared(for: service)))
        let api = SupportAPI(service: service, configuration: configuration)
        api.registerHealth(on: router)
        api.registerAsk(on: router)
        api.registerLearning(on: router)
        api.registerArticles(on: router)
        registerReportRoutes(on: router, service: service, configuration: configuration)
        return router
    }

    /// Builds the application that serves ``buildRouter(service:configuration:logger:)`` on
    /// `configuration.host:configuration.port`.
    ///
    /// Run it with `runService()` (graceful shutdown on SIGTERM and SIGINT), or inside a
    /// `ServiceGroup` of your own; test it with HummingbirdTesting's `app.test(.router)`.
    public static func buildApplication(service: SupportService, configuration: LoopdeskHTTPConfiguration,
                                        logger: Logger = Logger(label: "loopdesk.http"))
        -> Application<RouterResponder<Context>> {
        let router = buildRouter(service: service, configuration: configuration, logger: logger)
        return Application(router: router,
                           configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                                   serverName: configuration.serverName),
                           logger: logger)
    }
}

/// How the HTTP API is served: address, token, body limits.
public struct LoopdeskHTTPConfiguration: Sendable {
    /// The address to bind: loopback by default; `0.0.0.0` only makes sense with a ``token``.
    public var host: String
    public var port: Int
    /// The bearer token every endpoint but the public ones requires; nil turns authentication off
    /// (the CLI then binds to loopback only).
    public var token: String?
    /// Largest `POST /v1/ask` body, in bytes (a question itself is capped at 8,000 bytes by the service).
    public var maxAskBodyBytes = 1 << 20
    /// Largest `POST /v1/outcomes` body, in bytes.
    public var maxOutcomeBodyBytes = 1 << 20
    /// Largest `POST /v1/events` body (one webhook delivery, possibly a batch), in bytes.
    public var maxEventBodyBytes = 4 << 20
    /// Largest `POST /v1/articles` body (a whole knowledge base as JSONL), in bytes.
    public var maxArticleBodyBytes = 64 << 20
    /// Paths served without a token.
    public var publicPaths: Set<String> = ["/v1/health"]
    /// Path prefixes the header check leaves alone (for pages a browser opens, if their owner wants that).
    /// `/dashboard` checks the token itself, from the header or `?token=` (`DashboardAuthMiddleware`).
    public var publicPathPrefixes: [String] = ["/dashboard"]
    /// The name the server gives itself in its `Server` header.
    public var serverName = "loopdesk"

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }
}

import Hummingbird
import Support

extension LoopdeskHTTPServer {
    /// The place for the routes that show what the service has learned: the dashboard
    /// pages, `/metrics` (Prometheus), `/v1/gaps`, `/v1/insights` and `/v1/reports/…`.
    ///
    /// Called by ``buildRouter(service:configuration:logger:)`` after the `/v1` API, so the
    /// routes registered here get the same JSON errors and bearer authentication; a route a
    /// browser or a scraper opens without a token needs its path in
    /// ``LoopdeskHTTPConfiguration/publicPaths`` or ``LoopdeskHTTPConfiguration/publicPathPrefixes``.
    /// Write the handlers in files of their own and call their registration from here.
    static func registerReportRoutes(on router: Router<Context>, service: SupportService,
                                     configuration: LoopdeskHTTPConfiguration) {
        registerLearningViews(on: router, service: service, configuration: configuration)
        GapRoutes.register(on: router, service: service)
    }
}

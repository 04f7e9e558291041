import Hummingbird

/// The request context of the Loopdesk API.
///
/// Bodies are collected by each route with its own limit (``LoopdeskHTTPConfiguration``),
/// so the context's `maxUploadSize` is the largest of them and only guards
/// Hummingbird's own decoding helpers.
public struct LoopdeskRequestContext: RequestContext {
    /// Hummingbird's own per-request state (logger, parameters, …).
    public var coreContext: CoreRequestContextStorage
    /// The dashboard session the request's cookie named, once ``DashboardAuthMiddleware`` accepted it;
    /// its pages then carry the session's CSRF token in their forms.
    var dashboardSession: DashboardSession?

    /// The client's IP address (no port), for the rate limit of requests without a credential;
    /// nil when the transport has none (the test framework's in-process router).
    let peerAddress: String?

    /// The context of one request, as Hummingbird creates it.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// 64 MiB, the largest body limit of ``LoopdeskHTTPConfiguration``.
    public var maxUploadSize: Int { 64 << 20 }
}

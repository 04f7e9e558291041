import Hummingbird

/// The request context of the Loopdesk API.
///
/// Bodies are collected by each route with its own limit (``LoopdeskHTTPConfiguration``),
/// so the context's `maxUploadSize` is the largest of them and only guards
/// Hummingbird's own decoding helpers.
public struct LoopdeskRequestContext: RequestContext {
    /// Hummingbird's own per-request state (logger, parameters, …).
    public var coreContext: CoreRequestContextStorage

    /// The context of one request, as Hummingbird creates it.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// 64 MiB, the largest body limit of ``LoopdeskHTTPConfiguration``.
    public var maxUploadSize: Int { 64 << 20 }
}

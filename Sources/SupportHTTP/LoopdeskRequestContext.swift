import Hummingbird

/// The request context of the Loopdesk API.
///
/// Bodies are collected by each route with its own limit (``LoopdeskHTTPConfiguration``),
/// so the context's `maxUploadSize` is the largest of them and only guards
/// Hummingbird's own decoding helpers.
public struct LoopdeskRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 64 << 20 }
}

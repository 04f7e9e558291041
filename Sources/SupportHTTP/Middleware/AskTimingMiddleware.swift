import Hummingbird

/// Times `POST /v1/ask` into ``LoopdeskMetrics`` (`loopdesk_ask_duration_seconds`), as this
/// process served it: from the request's arrival at the router to its response, errors included.
struct AskTimingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: LoopdeskMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path == "/v1/ask" else { return try await next(request, context) }
        let start = ContinuousClock.now
        defer { metrics.observeAsk(duration: ContinuousClock.now - start) }
        return try await next(request, context)
    }
}

import Hummingbird

/// Guards the dashboard pages: the service's token as `Authorization: Bearer <token>`
/// like the API, or as `?token=<token>` so a browser can open a page from a link.
///
/// A token in a URL ends up in the browser's history and in any proxy's logs: give
/// dashboard links only to people who may hold the token, or put the dashboard
/// behind a proxy that authenticates and adds the header. Without a configured
/// token, everything passes (the service is then bound to loopback).
struct DashboardAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let expected = Array(token.utf8)
        if let given = request.uri.queryParameters.get("token"),
           BearerAuthMiddleware<Context>.constantTimeEqual(Array(given.utf8), expected) {
            return try await next(request, context)
        }
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer",
               BearerAuthMiddleware<Context>.constantTimeEqual(Array(parts[1].utf8), expected) {
                return try await next(request, context)
            }
        }
        throw APIError.unauthorized("the dashboard needs the service's token: open /dashboard?token=<token>, "
            + "or send Authorization: Bearer <token>")
    }
}

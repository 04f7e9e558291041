import Hummingbird

/// Guards the dashboard pages. A request passes with any of:
///
/// - the session cookie a login at `/dashboard/login` set (``DashboardSessions``): what a
///   browser should use, since the token then never appears in a URL;
/// - `Authorization: Bearer <token>`, like the API;
/// - `?token=<token>`, so that an old link still opens a page. A token in a URL ends up in the
///   browser's history and in any proxy's logs: prefer the login form.
///
/// An empty token never passes, whatever the service was configured with. A browser (one that
/// accepts `text/html`) without any of these is sent to the login form; other clients get a
/// JSON 401. Without a configured token everything passes (the service is then bound to loopback).
struct DashboardAuthMiddleware: RouterMiddleware {
    typealias Context = LoopdeskRequestContext
    let token: String?
    let sessions: DashboardSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        if let id = request.cookies[DashboardCookies.session]?.value, let session = await sessions.session(id: id) {
            var context = context
            context.dashboardSession = session
            return try await next(request, context)
        }
        if Self.presentsToken(request, expected: token) { return try await next(request, context) }
        if request.headers[.accept]?.contains("text/html") == true, request.method == .get {
            return DashboardLoginPage.redirect(to: DashboardLoginPage.path)
        }
        throw APIError.unauthorized("the dashboard needs the service's token: sign in at \(DashboardLoginPage.path), "
            + "or open /dashboard?token=<token>, or send Authorization: Bearer <token>")
    }

    /// Whether the request carries `expected` (never empty) as `?token=` or as a bearer header.
    static func presentsToken(_ request: Request, expected token: String) -> Bool {
        let expected = Array(token.utf8)
        guard !expected.isEmpty else { return false }
        if let given = request.uri.queryParameters.get("token"), !given.isEmpty,
           BearerAuthMiddleware<Context>.constantTimeEqual(Array(given.utf8), expected) {
            return true
        }
        return presentsBearer(request, expected: token)
    }

    /// Whether the request's `Authorization: Bearer` header carries `expected` (never empty).
    static func presentsBearer(_ request: Request, expected token: String) -> Bool {
        !token.isEmpty && BearerAuthMiddleware<Context>.carries(request, token: token)
    }
}

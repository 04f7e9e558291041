import Foundation
import Hummingbird
import Support

/// The dashboard's sign-in and sign-out, so that a browser holds a session cookie instead of
/// carrying the token in its URLs:
///
/// - `GET /dashboard/login` — the form, with a CSRF token in a hidden field and in a cookie.
/// - `POST /dashboard/login` (`application/x-www-form-urlencoded`: `token`, `csrf`) — with the
///   service's token and a CSRF field equal to the form's cookie, sets the session cookie
///   (``DashboardCookies/session``: HttpOnly, SameSite=Strict, a random id whose expiry the
///   server keeps) and redirects to `/dashboard`; a wrong token is 401, a missing or wrong CSRF
///   token 403, another content type 415.
/// - `POST /dashboard/logout` (`csrf` = the session's token) — ends the session.
///
/// Without a configured token the dashboard is open and the login form redirects to it.
struct DashboardLoginRoutes: RouteGroup {
    /// The form fields of both posts.
    struct Form: Decodable {
        var token: String?
        var csrf: String?
    }

    /// The service's token.
    let token: String?
    let sessions: DashboardSessions
    /// ``LoopdeskHTTPConfiguration/secureCookies``.
    let secureCookies: Bool
    /// The largest form body, in bytes.
    static let maxFormBytes = 4096

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get(RouterPath(DashboardLoginPage.path)) { _, _ -> Response in
            guard token != nil else { return DashboardLoginPage.redirect(to: "/dashboard") }
            return loginForm(message: nil, status: .ok)
        }
        router.post(RouterPath(DashboardLoginPage.path)) { request, _ -> Response in
            try await login(request)
        }
        router.post(RouterPath(DashboardLoginPage.logoutPath)) { request, _ -> Response in
            try await logout(request)
        }
    }

    /// The form with a fresh CSRF token, and the cookie that holds the same token.
    func loginForm(message: String?, status: HTTPResponse.Status) -> Response {
        let csrf = DashboardSessions.randomToken()
        var response = HTMLBody.response(DashboardLoginPage.html(csrf: csrf, message: message), status: status)
        response.setCookie(DashboardCookies.cookie(DashboardCookies.loginCSRF, value: csrf, path: DashboardLoginPage.path,
                                                   maxAge: DashboardCookies.loginFormSeconds, secure: secureCookies))
        return response
    }

    /// Checks the form's CSRF token against its cookie and the token against the service's, then
    /// opens a session.
    func login(_ request: Request) async throws -> Response {
        guard let token else { return DashboardLoginPage.redirect(to: "/dashboard") }
        let form = try await Self.form(request)
        let cookie = request.cookies[DashboardCookies.loginCSRF]?.value ?? ""
        guard Self.same(form.csrf, cookie) else {
            throw APIError(.forbidden, code: "csrf_mismatch", message:
                "the login form's CSRF token is missing or does not match its cookie; reload \(DashboardLoginPage.path) and sign in again")
        }
        guard Self.same(form.token, token) else {
            return loginForm(message: "That is not the service's token.", status: .unauthorized)
        }
        let session = await sessions.create()
        var response = DashboardLoginPage.redirect(to: "/dashboard")
        let seconds = max(1, Int(sessions.lifetime.components.seconds))
        response.setCookie(DashboardCookies.cookie(DashboardCookies.session, value: session.id, path: "/dashboard",
                                                   maxAge: seconds, secure: secureCookies))
        response.setCookie(DashboardCookies.cookie(DashboardCookies.loginCSRF, value: "", path: DashboardLoginPage.path,
                                                   maxAge: 0, secure: secureCookies))
        return response
    }

    /// Ends the cookie's session when the form carries that session's CSRF token.
    func logout(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let id = request.cookies[DashboardCookies.session]?.value, let session = await sessions.session(id: id) else {
            throw APIError.unauthorized("no dashboard session to end; sign in at \(DashboardLoginPage.path)")
        }
        guard Self.same(form.csrf, session.csrf) else {
            throw APIError(.forbidden, code: "csrf_mismatch", message: "the logout form's CSRF token is not this session's; reload the page")
        }
        await sessions.end(id: session.id)
        var response = DashboardLoginPage.redirect(to: DashboardLoginPage.path)
        response.setCookie(DashboardCookies.cookie(DashboardCookies.session, value: "", path: "/dashboard", maxAge: 0,
                                                   secure: secureCookies))
        return response
    }

    /// The form body: urlencoded only, at most ``maxFormBytes``.
    static func form(_ request: Request) async throws -> Form {
        try await form(request, empty: Form())
    }

    /// A dashboard form body as `T` (`empty` for an empty body): urlencoded only, at most ``maxFormBytes``.
    static func form<T: Decodable>(_ request: Request, empty: T) async throws -> T {
        try ContentType.require(request, ContentType.form, what: "form")
        let body = try await JSONBody.collect(request, limit: maxFormBytes, what: "form")
        guard !body.isEmpty else { return empty }
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(decoding: body, as: UTF8.self))
        } catch {
            throw APIError.invalidRequest("the form body cannot be read as application/x-www-form-urlencoded")
        }
    }

    /// Whether `given` is non-empty and equals `expected`, in time that does not depend on where they differ.
    static func same(_ given: String?, _ expected: String) -> Bool {
        guard let given, !given.isEmpty, !expected.isEmpty else { return false }
        return BearerAuthMiddleware<LoopdeskRequestContext>.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }
}

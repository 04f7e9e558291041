import Foundation
import Hummingbird

/// The dashboard's own forms (undo a learned item, publish a draft) and what keeps a web page
/// elsewhere from posting them for a signed-in or local browser:
///
/// - a request whose `Origin` header names another origin than its `Host` (or is `null`) is refused
///   (another local server's page shares the cookies of `localhost`, but not its origin);
/// - in a session, the form must carry the session's CSRF token;
/// - with the service's token in the request (`?token=`, carried in the form's action, or a
///   bearer header), nothing more is needed: a page elsewhere cannot know it;
/// - without a configured token (the service is then on loopback, open to local browsers), the
///   form must carry the value of a `SameSite=Strict` cookie the page set (a double submit): a
///   cross-site post does not carry that cookie.
enum DashboardForms {
    /// The double-submit cookie of a dashboard without a token.
    static let cookie = "loopdesk_form_csrf"
    /// The fields of every dashboard form.
    struct Fields: Decodable {
        var csrf: String?
        var id: String?
    }

    /// The CSRF value a page's forms carry, and the cookie to set with the page (without a
    /// token and before the browser holds one).
    static func csrf(_ request: Request, context: LoopdeskRequestContext, token: String?) -> (value: String?, cookie: Cookie?) {
        if let session = context.dashboardSession { return (session.csrf, nil) }
        if token != nil { return (nil, nil) }
        if let existing = request.cookies[cookie]?.value, existing.count == 64 { return (existing, nil) }
        let value = DashboardSessions.randomToken()
        return (value, DashboardCookies.cookie(cookie, value: value, path: "/dashboard", maxAge: 12 * 3600, secure: false))
    }

    /// A posted form's fields, once the post is known to come from the dashboard itself.
    /// - Throws: 403 `cross_origin` or `csrf_mismatch`; 415 for another content type; 400 for an unreadable body.
    static func fields(_ request: Request, context: LoopdeskRequestContext, token: String?) async throws -> Fields {
        try checkOrigin(request)
        let fields = try await DashboardLoginRoutes.form(request, empty: Fields())
        let expected: String?
        if let session = context.dashboardSession {
            expected = session.csrf
        } else if token != nil {
            expected = nil   // the middleware let it in with the token itself
        } else {
            expected = request.cookies[cookie]?.value ?? ""
        }
        if let expected, !DashboardLoginRoutes.same(fields.csrf, expected) {
            throw APIError(.forbidden, code: "csrf_mismatch", message: "the form's CSRF token is missing or wrong; reload the page and try again")
        }
        return fields
    }

    /// Refuses a post whose `Origin` is another site's (or `null`): browsers send it with every
    /// cross-origin post, so a page elsewhere cannot pass for the dashboard.
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? request.headers[LoopbackOnlyMiddleware<LoopdeskRequestContext>.hostField] ?? ""
        // Both name the port only when it is not the scheme's default, so they compare as text.
        guard origin != "null", let url = URL(string: origin), let originHost = url.host,
              (originHost + (url.port.map { ":\($0)" } ?? "")).lowercased() == host.lowercased() else {
            throw APIError(.forbidden, code: "cross_origin", message: "a dashboard form must be posted from the dashboard's own origin, not \(origin)")
        }
    }
}

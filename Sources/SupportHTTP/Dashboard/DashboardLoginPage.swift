import Foundation
import Hummingbird

/// The cookies the dashboard sets; all `HttpOnly` (no script reads them) and `SameSite=Strict`
/// (a browser sends none of them with a request another site started).
enum DashboardCookies {
    /// The session id, for every `/dashboard` path.
    static let session = "loopdesk_session"
    /// The login form's CSRF token, for `/dashboard/login` only, for ten minutes.
    static let loginCSRF = "loopdesk_login_csrf"
    /// How long the login form may stay open before it must be reloaded, in seconds.
    static let loginFormSeconds = 600

    /// A cookie with the dashboard's attributes; `maxAge: 0` deletes it.
    static func cookie(_ name: String, value: String, path: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }
}

/// `/dashboard/login`: the form that trades the service's token for a session cookie.
enum DashboardLoginPage {
    /// Where the form lives and posts to.
    static let path = "/dashboard/login"
    /// Where the logout form posts to.
    static let logoutPath = "/dashboard/logout"

    /// The login form, carrying `csrf` in a hidden field (the same value goes into its cookie).
    /// - Parameter message: shown above the form after a failed attempt.
    static func html(csrf: String, message: String?) -> String {
        let note = message.map { "<p class=\"empty\">\(DashboardPage.escape($0))</p>\n" } ?? ""
        return DashboardPage.documentHead(title: "Sign in") + """
            <body>
            <header><span class="brand">Loopdesk</span></header>
            <main>
            <h1>Sign in to the dashboard</h1>
            \(note)<form method="post" action="\(path)">
            <p><label>The service's token <input type="password" name="token" autocomplete="current-password" required autofocus></label></p>
            <input type="hidden" name="csrf" value="\(DashboardPage.escape(csrf))">
            <p><button type="submit">Sign in</button></p>
            </form>
            </main>
            </body>
            </html>

            """
    }

    /// `303 See Other` to `location` (a path on this service).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentLength: "0", .cacheControl: "no-store"])
    }
}

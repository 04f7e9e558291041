import Foundation
import HTTPTypes
import Hummingbird
import Support

/// Without a token, serves only what a program on this machine sends, never what a web page
/// makes a browser send.
///
/// A service without a token trusts whoever can reach it, which is only safe when nothing but
/// local programs can. A browser on the same machine can reach loopback too, so a page from
/// anywhere could post to it; this middleware refuses, with 403 and a JSON error naming why:
///
/// - a `Host` that is not a loopback name (`localhost`, `127.0.0.1`, `[::1]`, with or without a
///   port): a page that had its own DNS name resolve to 127.0.0.1 (DNS rebinding) sends its name;
/// - an `Origin` header other than a loopback origin: a browser adds it to every cross-origin
///   request and to every `POST`, which command-line clients do not send;
/// - `Sec-Fetch-Site: cross-site` or `same-site`: what a current browser says about a request
///   another site started.
///
/// ``LoopdeskHTTPServer`` adds it only when no token is configured; with a token, the bearer
/// header (which a page cannot make a browser send) and the dashboard's SameSite cookie guard instead.
struct LoopbackOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The `Host` header's name (HTTP/1.1 requests carry it; the codec also reports it as the authority).
    static var hostField: HTTPField.Name { HTTPField.Name("Host")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try Self.check(request)
        return try await next(request, context)
    }

    /// - Throws: ``APIError`` 403 `forbidden_host` or `forbidden_origin`, naming the refused value.
    static func check(_ request: Request) throws {
        let host = request.head.authority ?? request.headers[hostField]
        guard let host, LoopbackHost.isLoopback(authority: host) else {
            throw APIError(.forbidden, code: "forbidden_host", message:
                "without a token this service answers only requests addressed to localhost, 127.0.0.1 or [::1]; "
                    + "this one was for \(host.map { "\"\($0)\"" } ?? "no Host"); start it with --token to serve other names")
        }
        if let origin = request.headers[.origin], !isLoopbackOrigin(origin) {
            throw APIError(.forbidden, code: "forbidden_origin", message:
                "without a token this service refuses requests a web page makes (Origin: \(origin)); "
                    + "call it from a local program, or start it with --token")
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site == "cross-site" || site == "same-site" {
            throw APIError(.forbidden, code: "forbidden_origin", message:
                "without a token this service refuses requests another site's page starts (Sec-Fetch-Site: \(site))")
        }
    }

    /// `http(s)://` and a loopback host, with an optional port; `null` and everything else is foreign.
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let components = URLComponents(string: origin), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host else { return false }
        return LoopbackHost.isLoopback(host: host) && components.path.isEmpty && components.query == nil
    }
}

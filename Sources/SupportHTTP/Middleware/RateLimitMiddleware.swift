import Foundation
import Hummingbird
import Support

/// Refuses a credential's requests above its ``RequestRateLimit`` with 429 and `Retry-After`.
///
/// Each credential has a bucket of its own: the service's bearer token, each workspace token,
/// each live dashboard session, and — for everything else, wrong tokens and made-up cookies included — the
/// client's address. So one integration or one browser going wild does not slow the others,
/// and inventing credentials buys no extra requests. It runs before the token check, so
/// failed attempts count too.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = LoopdeskRequestContext
    let limiter: RequestRateLimiter
    /// The service's token and the workspace tokens (no admin token: every request is keyed by its address).
    let authority: TokenAuthority
    let sessions: DashboardSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let wait = limiter.admit(await key(request, context: context)) {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18).rounded(.up)))
            throw APIError(.tooManyRequests, code: "rate_limited", message:
                "more than \(limiter.limit.requestsPerSecond.formatted()) requests per second (bursts of \(limiter.limit.burst)) "
                    + "with this credential; retry in \(seconds) s", headers: [.retryAfter: String(seconds)])
        }
        return try await next(request, context)
    }

    /// The bucket's key: `token` for the service's token, `workspace-token:` and the token's hash
    /// for a workspace's token, `session:` and the id for a live dashboard session, else `peer:`
    /// and the client's address (a token the catalog cannot be asked about counts as unknown).
    func key(_ request: Request, context: Context) async -> String {
        if let token = authority.adminToken {
            if DashboardAuthMiddleware.presentsBearer(request, expected: token) { return "token" }
            if let presented = TokenAuthority.bearer(of: request), presented.hasPrefix(WorkspaceToken.prefix),
               case .workspace? = try? authority.workspaces.scope(ofToken: String(presented)) {
                return "workspace-token:" + WorkspaceToken.hash(of: String(presented))
            }
        }
        if authority.adminToken != nil, let id = request.cookies[DashboardCookies.session]?.value, let session = await sessions.session(id: id) {
            return "session:" + session.id
        }
        return "peer:" + (context.peerAddress ?? "unknown")
    }
}

import Hummingbird
import Support

/// Requires `Authorization: Bearer <token>` on every path but the public ones, with a token
/// whose scope reaches this router's workspace (``TokenAuthority``).
///
/// No token, a malformed header or a token the service does not know is 401; a workspace's
/// token on another workspace's routes, or on the admin-only paths (`/v1/workspaces`), is 403.
/// The admin token's comparison takes the same time whatever the first differing byte is,
/// so it cannot be guessed byte by byte from response times; workspace tokens are found by
/// their hash. Without a configured admin token, everything passes (the service is then
/// bound to loopback).
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authority: TokenAuthority
    /// The workspace whose routes this middleware guards.
    let workspace: WorkspaceName
    let publicPaths: Set<String>
    let publicPathPrefixes: [String]
    /// Paths only the admin token may use.
    static var adminPathPrefix: String { "/v1/workspaces" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try authorize(request, path: request.uri.path, workspace: workspace)
        return try await next(request, context)
    }

    /// Checks `request`'s token for `path` of `workspace`.
    /// - Throws: ``APIError`` 401 (no token, malformed, unknown) or 403 (outside its scope);
    ///   the catalog's errors.
    func authorize(_ request: Request, path: String, workspace: WorkspaceName) throws {
        guard authority.adminToken != nil else { return }
        if publicPaths.contains(path) || publicPathPrefixes.contains(where: { path.hasPrefix($0) }) { return }
        guard request.headers[.authorization] != nil else {
            throw APIError.unauthorized("this endpoint needs the header Authorization: Bearer <token> "
                + "(the service's --token or LOOPDESK_TOKEN, or a workspace's token)")
        }
        guard let presented = TokenAuthority.bearer(of: request) else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        guard let scope = try authority.scope(of: String(presented)) else {
            throw APIError.unauthorized("the bearer token is neither this service's token nor a workspace's")
        }
        if path == Self.adminPathPrefix || path.hasPrefix(Self.adminPathPrefix + "/"), scope != .admin {
            throw APIError.forbidden("\(path) needs the service's admin token (--token); a workspace's token cannot manage workspaces")
        }
        guard scope.allows(workspace) else {
            throw APIError.forbidden("this token belongs to another workspace; it cannot use workspace \(workspace)'s routes"
                + (workspace.isDefault ? " (the routes without /v1/w/{workspace} are the default workspace's)" : ""))
        }
    }

    /// Whether `request` carries `Authorization: Bearer <token>` with exactly `token`
    /// (compared in constant time); for a route that accepts the token as one proof among others.
    static func carries(_ request: Request, token: String) -> Bool {
        guard let presented = TokenAuthority.bearer(of: request) else { return false }
        return constantTimeEqual(Array(presented.utf8), Array(token.utf8))
    }

    /// Whether `a` equals `b`, in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        // Compare against `b` in full even when the lengths differ, so the time does not tell how close `a` came.
        for i in 0..<b.count {
            difference |= b[i] ^ (i < a.count ? a[i] : 0)
        }
        return difference == 0
    }
}

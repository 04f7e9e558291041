import Hummingbird
import Support

/// Says what a presented bearer token may reach: the service's own token (`--token`,
/// the admin token, compared in constant time and never stored) or one of the catalog's
/// workspace tokens (looked up by their SHA-256, ``Workspaces/scope(ofToken:)``).
struct TokenAuthority: Sendable {
    /// The service's token; nil turns authentication off (the service is then bound to loopback).
    let adminToken: String?
    /// Whose catalog holds the workspace tokens.
    let workspaces: Workspaces

    /// The scope of `presented`, or nil when it is no token of this service.
    /// - Throws: the catalog's errors (a store failure is a 500, never a silent "no").
    func scope(of presented: String) throws -> TokenScope? {
        if let adminToken, BearerAuthMiddleware<LoopdeskRequestContext>.constantTimeEqual(Array(presented.utf8), Array(adminToken.utf8)) {
            return .admin
        }
        return try workspaces.scope(ofToken: presented)
    }

    /// The token of the request's `Authorization: Bearer` header, or nil when it has none in that form.
    static func bearer(of request: Request) -> Substring? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1]
    }
}

import Hummingbird

/// Requires `Authorization: Bearer <token>` on every path but the public ones.
///
/// The comparison takes the same time whatever the first differing byte is,
/// so the token cannot be guessed byte by byte from response times. Without a
/// configured token, everything passes (the service is then bound to loopback).
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let publicPaths: Set<String>
    let publicPathPrefixes: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let path = request.uri.path
        if publicPaths.contains(path) || publicPathPrefixes.contains(where: { path.hasPrefix($0) }) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("this endpoint needs the header Authorization: Bearer <token> (the service's --token or LOOPDESK_TOKEN)")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        guard Self.constantTimeEqual(Array(parts[1].utf8), Array(token.utf8)) else {
            throw APIError.unauthorized("the bearer token is not this service's token")
        }
        return try await next(request, context)
    }

    /// Whether `request` carries `Authorization: Bearer <token>` with exactly `token`
    /// (compared in constant time); for a route that accepts the token as one proof among others.
    static func carries(_ request: Request, token: String) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        return parts.count == 2 && parts[0].lowercased() == "bearer" && constantTimeEqual(Array(parts[1].utf8), Array(token.utf8))
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

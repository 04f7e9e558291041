/// How the HTTP API is served: address, token, body limits.
public struct LoopdeskHTTPConfiguration: Sendable {
    /// The address to bind: loopback by default; `0.0.0.0` only makes sense with a ``token``.
    public var host: String
    /// The TCP port to listen on.
    public var port: Int
    /// The bearer token every endpoint but the public ones requires; nil turns authentication off
    /// (the CLI then binds to loopback only).
    public var token: String?
    /// Largest `POST /v1/ask` body, in bytes (a question itself is capped at 8,000 bytes by the service).
    public var maxAskBodyBytes = 1 << 20
    /// Largest `POST /v1/outcomes` body, in bytes.
    public var maxOutcomeBodyBytes = 1 << 20
    /// Largest `POST /v1/events` body (one webhook delivery, possibly a batch), in bytes.
    public var maxEventBodyBytes = 4 << 20
    /// Largest `POST /v1/articles` body (a whole knowledge base as JSONL), in bytes; also the
    /// largest `POST /v1/import/tickets` export.
    public var maxArticleBodyBytes = 64 << 20
    /// Paths served without a token.
    public var publicPaths: Set<String> = ["/v1/health"]
    /// Path prefixes the header check leaves alone (for pages a browser opens, if their owner wants that).
    /// `/dashboard` checks the token itself, from the header or `?token=` (`DashboardAuthMiddleware`).
    public var publicPathPrefixes: [String] = ["/dashboard"]
    /// The name the server gives itself in its `Server` header.
    public var serverName = "loopdesk"

    /// A configuration with the default limits and public paths.
    /// - Parameters:
    ///   - host: the address to bind (loopback unless there is a `token`).
    ///   - port: the TCP port.
    ///   - token: the bearer token, or nil for no authentication.
    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }
}

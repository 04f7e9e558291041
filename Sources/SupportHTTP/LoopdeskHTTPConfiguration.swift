import Support

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
    /// Largest `POST /v1/articles` body (a whole knowledge base as JSONL), in bytes.
    public var maxArticleBodyBytes = 64 << 20
    /// Largest `POST /v1/import/tickets` export, in bytes (64 MiB). The export is read as it
    /// arrives, one ticket at a time, so this bounds the upload, not the memory it takes.
    public var maxTicketImportBytes = 64 << 20
    /// Largest single ticket (or CSV chunk of rows) of an export, in bytes (4 MiB): what is held
    /// in memory at once while an export streams in.
    public var maxTicketRecordBytes = 4 << 20
    /// How long a connection may owe the server a request (15 s): from its opening, or from
    /// its previous response, to its next request's whole head; then between two parts of a
    /// request body. Past it the connection is closed.
    public var idleTimeout: Duration = .seconds(15)
    /// Connections open at once (256). At the cap a new connection closes the longest-idle one
    /// (or the one slowest to send its request); see ``ConnectionRegistry``.
    public var maxConnections = 256
    /// Requests per credential (``RequestRateLimit/standard``: 100/s, bursts of 200); nil turns the limit off.
    public var rateLimit: RequestRateLimit? = .standard
    /// The helpdesks' webhook secrets (`ZENDESK_WEBHOOK_SECRET`, `FRESHDESK_WEBHOOK_SECRET`,
    /// `INTERCOM_WEBHOOK_SECRET`): `POST /v1/events/{helpdesk}` accepts only deliveries signed
    /// with its helpdesk's secret (``HelpdeskWebhookVerifier``); a helpdesk without one is refused.
    public var helpdeskSecrets: [HelpdeskWebhookVerifier.Helpdesk: String] = [:]
    /// Whether a helpdesk route also accepts the service's bearer token in place of the
    /// helpdesk's signature (`--helpdesk-routes-accept-token`; off by default): for a helpdesk
    /// that cannot sign, or a test from a script.
    public var helpdeskRoutesAcceptToken = false
    /// Paths served without a token: health, and the helpdesk routes, which check their
    /// helpdesk's signature instead (``helpdeskSecrets``).
    public var publicPaths: Set<String> = Set(["/v1/health"] + HelpdeskWebhookVerifier.Helpdesk.allCases.map { "/v1/events/\($0.rawValue)" })
    /// Path prefixes the header check leaves alone (for pages a browser opens, if their owner wants that).
    /// `/dashboard` checks the token itself, from the header or `?token=` (`DashboardAuthMiddleware`).
    public var publicPathPrefixes: [String] = ["/dashboard"]
    /// The name the server gives itself in its `Server` header.
    public var serverName = "loopdesk"
    /// How long a dashboard session lasts after the login form, on the server's clock (8 hours):
    /// the cookie carries only a random id, the expiry is kept here.
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Dashboard sessions kept at once (1,000); a login beyond that ends the oldest session.
    public var maxSessions = 1000
    /// Marks the dashboard's cookies `Secure`, so a browser sends them over https only: set it
    /// when the service is reached through a TLS proxy (`--secure-cookies`).
    public var secureCookies = false

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

    /// A setting the service must not start with.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        /// What is wrong and what to do.
        public let description: String
    }

    /// The token to serve with: `option` (`--token`) if given, else `LOOPDESK_TOKEN`, else none.
    ///
    /// An empty or blank token is an error, never "no token": a script that meant to pass a
    /// secret and passed an empty variable must not start a service without authentication.
    /// - Throws: ``ConfigurationError`` naming where the empty token came from.
    public static func resolveToken(option: String?, environment: [String: String]) throws -> String? {
        if let option {
            guard !option.allSatisfy(\.isWhitespace) else {
                throw ConfigurationError(description: "--token is empty; give a secret of at least 16 characters, "
                    + "or leave --token out to serve loopback only without authentication")
            }
            return option
        }
        if let value = environment["LOOPDESK_TOKEN"] {
            guard !value.allSatisfy(\.isWhitespace) else {
                throw ConfigurationError(description: "LOOPDESK_TOKEN is set but empty; set it to a secret, "
                    + "or unset it to serve loopback only without authentication")
            }
            return value
        }
        return nil
    }
}

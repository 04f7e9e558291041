import ArgumentParser
import CommandLineValues
import Embedding
import Foundation
import Logging
import Support
import SupportHTTP
import SupportPostgres

/// `loopdesk up --data DIR`: the whole service in one command — a `loopdesk-core` child
/// on `DIR/core.sock` with its data in `DIR/core/`, the store `DIR/loopdesk.sqlite`, and HTTP.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a core, open the store and serve the HTTP API, all under one data directory.",
        discussion: """
            Starts `loopdesk-core serve` (found beside this binary, or $LOOPDESK_CORE_BINARY) as a child on
            DIR/core.sock with data in DIR/core/, opens DIR/loopdesk.sqlite and serves the API of docs/API.md.
            SIGTERM or SIGINT stops the HTTP server gracefully, then the core (which snapshots on the way out).
            """
    )

    @Option(name: .long, help: "The data directory (created if missing).")
    var data: String

    @OptionGroup var http: HTTPOptions

    func validate() throws { try http.validate() }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let logger = http.logger()
        let root = URL(fileURLWithPath: data)
        let core = try await CoreProcess.start(socket: root.appendingPathComponent("core.sock").path,
                                               dataDirectory: root.appendingPathComponent("core").path,
                                               logPath: root.appendingPathComponent("core.log").path)
        logger.info("loopdesk-core running (pid \(core.pid), socket \(core.socketPath), log \(root.appendingPathComponent("core.log").path))")
        do {
            let storage = try SQLiteWorkspaceStorage(defaultPath: root.appendingPathComponent("loopdesk.sqlite").path)
            try await http.serve(storage: storage, placement: CorePlacement(socket: core.socketPath), logger: logger)
        } catch {
            await core.stop()
            throw error
        }
        await core.stop()
        logger.info("loopdesk-core stopped")
    }
}

/// `loopdesk serve --core SOCKET --db FILE`: the HTTP API against a core that is already running.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API with a store and a core that is already running."
    )

    @Option(name: .long, help: ArgumentHelp(
        "A core's socket, as SOCKET or NAME=SOCKET; repeat it for several cores. The first is the default core: it holds every workspace no --place names.",
        valueName: "[NAME=]SOCKET"))
    var core: [String]

    @Option(name: .long, help: ArgumentHelp("Put a workspace's collections on a named core (repeatable).", valueName: "WORKSPACE=CORE"))
    var place: [String] = []

    @Option(name: .long, help: "The default workspace's SQLite store (created if missing); the other workspaces' stores and the catalog are in the folder NAME-workspaces beside it.")
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "A PostgreSQL store shared by every instance given it, in place of --db (default: $LOOPDESK_STORE): one schema per workspace.",
        valueName: "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"))
    var store: String?

    @OptionGroup var http: HTTPOptions

    func validate() throws {
        try http.validate()
        _ = try placement()
        _ = try storeChoice()
    }

    func run() async throws {
        let storage: any WorkspaceStorage = switch try storeChoice() {
        case .sqlite(let path): try SQLiteWorkspaceStorage(defaultPath: path)
        case .postgres(let url): try PostgresWorkspaceStorage(url: url, logger: http.logger())
        }
        try await http.serve(storage: storage, placement: try placement(), logger: http.logger())
    }

    /// Where the store is.
    enum StoreChoice {
        case sqlite(String)
        case postgres(String)
    }

    /// `--db FILE`, or `--store URL` (else `$LOOPDESK_STORE`); exactly one.
    func storeChoice() throws -> StoreChoice {
        let url = store ?? ProcessInfo.processInfo.environment["LOOPDESK_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        switch (db, url) {
        case let (path?, nil): return .sqlite(path)
        case let (nil, url?):
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ValidationError("--store \(url): give a postgres://user@host:port/database URL (or --db FILE for SQLite)")
            }
            return .postgres(url)
        case (nil, nil): throw ValidationError("give --db FILE (SQLite) or --store postgres://… (or $LOOPDESK_STORE)")
        case (_?, _?): throw ValidationError("give --db or --store (or $LOOPDESK_STORE), not both")
        }
    }

    /// The cores of `--core` and the workspaces of `--place`.
    func placement() throws -> CorePlacement {
        guard !core.isEmpty else { throw ValidationError("give --core SOCKET (the loopdesk-core socket)") }
        var cores: [String: String] = [:]
        var first: String?
        for (index, value) in core.enumerated() {
            let named = value.split(separator: "=", maxSplits: 1).map(String.init)
            let (name, socket) = named.count == 2 && !named[0].contains("/") ? (named[0], named[1]) : (index == 0 ? "default" : "core\(index + 1)", value)
            guard !name.isEmpty, !socket.isEmpty else { throw ValidationError("--core \(value): give SOCKET or NAME=SOCKET") }
            guard cores[name] == nil else { throw ValidationError("--core \(value): a core named \(name) was given already") }
            cores[name] = socket
            first = first ?? name
        }
        var assignments: [WorkspaceName: String] = [:]
        for value in place {
            let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--place \(value): give WORKSPACE=CORE") }
            do {
                assignments[try WorkspaceName(parts[0])] = parts[1]
            } catch {
                throw ValidationError("--place \(value): \(error)")
            }
        }
        do {
            return try CorePlacement(cores: cores, defaultCore: first ?? "default", assignments: assignments)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// The options `up` and `serve` share: address, token, model.
struct HTTPOptions: ParsableArguments {
    @Option(name: .long, help: "The HTTP port.")
    var port = 8080

    @Option(name: .long, help: "The bearer token every endpoint but /v1/health requires (default: $LOOPDESK_TOKEN; an empty one is refused). Without one, the service binds to 127.0.0.1 only and answers only requests for a loopback Host.")
    var token: String?

    @Flag(name: .long, help: "Mark the dashboard's cookies Secure (set it when a TLS proxy serves the dashboard over https).")
    var secureCookies = false

    @Flag(name: .customLong("helpdesk-routes-accept-token"),
          help: "Let POST /v1/events/{zendesk,freshdesk,intercom} accept the bearer token in place of the helpdesk's signature (off: only signed deliveries; secrets from ZENDESK_WEBHOOK_SECRET, FRESHDESK_WEBHOOK_SECRET, INTERCOM_WEBHOOK_SECRET).")
    var helpdeskRoutesAcceptToken = false

    @Option(name: .long, help: "Answer Zendesk tickets where they arrive: the Zendesk base URL (https://SUBDOMAIN.zendesk.com; http:// only to loopback), with ZENDESK_EMAIL and ZENDESK_API_TOKEN in the environment (docs/HELPDESKS.md).")
    var zendesk: String?

    @Option(name: .long, help: "Answer Freshdesk tickets where they arrive: the Freshdesk base URL (https://DOMAIN.freshdesk.com), with FRESHDESK_API_KEY in the environment.")
    var freshdesk: String?

    @Option(name: .long, help: "Answer Intercom conversations where they arrive: the Intercom API base URL (https://api.intercom.io), with INTERCOM_ACCESS_TOKEN and INTERCOM_ADMIN_ID in the environment.")
    var intercom: String?

    @Option(name: .customLong("linear-team"), help: "Open bug clusters as Linear issues in this team (its id), with LINEAR_API_KEY in the environment; a comment each time a cluster doubles.")
    var linearTeam: String?

    @Option(name: .customLong("linear-url"), help: "Linear's API base URL (https://api.linear.app; http:// only to loopback).")
    var linearURL = "https://api.linear.app"

    @Option(name: .long, help: "Open bug clusters as Jira issues (type Bug): the Jira site's URL (https://SITE.atlassian.net), with --jira-project, JIRA_EMAIL and JIRA_API_TOKEN.")
    var jira: String?

    @Option(name: .customLong("jira-project"), help: "The Jira project key bug issues go to (with --jira).")
    var jiraProject: String?

    @Option(name: .long, help: "Seconds a connection may take to send a whole request head (and between parts of its body) before it is closed.")
    var idleTimeout: Double = 15

    @Option(name: .long, help: "Connections open at once; at the cap the longest-idle connection is closed for a new one.")
    var maxConnections = 256

    @Option(name: .long, help: "Requests per second per credential (token, dashboard session, or client address); 0 turns the limit off.")
    var rateLimit: Double = 100

    @Option(name: .long, help: "Requests a credential may make at once above --rate-limit.")
    var rateBurst = 200

    @Option(name: .long, help: "The address to bind (default: 0.0.0.0 with a token, 127.0.0.1 without).")
    var host: String?

    @Option(name: .long, help: "The MiniLM model directory (default: $LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2 above the current directory; else the hashed fallback).")
    var modelDir: String?

    @Option(name: .long, help: "Questions embedded together at most: questions asked at once share one forward pass, on a thread of its own (0: each question is embedded alone, on its request's thread).")
    var embedBatch = 64

    @Option(name: .long, help: "Log level.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "What an agent's reply becomes: publish (an article at once) or review (a draft that is cited only once published; GET /v1/articles?status=draft is the queue).")
    var agentArticles: AgentArticles = .publish

    @Option(name: .long, help: "The mode of every topic nobody set, including topics that appear later: live, shadow or off (docs/ROLLOUT.md).")
    var defaultMode: TopicMode = .live

    @Option(name: .long, help: "Judged answers of its own a topic needs before its threshold may go below the initial one.")
    var topicMinEvidence = 30

    @Option(name: .customLong("initial-threshold"),
            help: "The escalation threshold before a topic has evidence of its own, 0–1 (default 0.9: a new deployment escalates until outcomes show it may answer); it adapts from outcomes either way.")
    var initialThreshold = EscalationPolicy.Configuration().initialThreshold

    @Option(name: .customLong("target-wrong-rate"),
            help: "The share of answers allowed to be wrong, 0.001–0.2: the escalation threshold is learned to keep under it (docs/ROLLOUT.md).")
    var targetWrongRate = EscalationPolicy.Configuration().targetWrongRate

    @Option(name: .customLong("deployed-at"),
            help: "When Loopdesk went live, ISO 8601 (2025-01-31T09:00:00Z), for the roll-out report's checkpoints (default: the first live answer).")
    var deployedAt: ISODateArgument?

    @Option(name: .customLong("clock-from"),
            help: "Start the service's clock at this ISO 8601 date and run it at real speed: for continuing a replay's history (scripts/demo.sh).")
    var clockFrom: ISODateArgument?

    /// `--token`, else `LOOPDESK_TOKEN`; an empty one is an error (``LoopdeskHTTPConfiguration/resolveToken(option:environment:)``).
    func resolvedToken() throws -> String? {
        do {
            return try LoopdeskHTTPConfiguration.resolveToken(option: token, environment: ProcessInfo.processInfo.environment)
        } catch let error as LoopdeskHTTPConfiguration.ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535, not \(port)") }
        guard idleTimeout > 0, idleTimeout <= 3600 else { throw ValidationError("--idle-timeout must be in (0, 3600] seconds, not \(idleTimeout)") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, not \(maxConnections)") }
        guard (0...1024).contains(embedBatch) else { throw ValidationError("--embed-batch must be in 0...1024, not \(embedBatch)") }
        guard (1...100_000).contains(topicMinEvidence) else { throw ValidationError("--topic-min-evidence must be in 1...100000, not \(topicMinEvidence)") }
        try TargetWrongRate.validate(targetWrongRate)
        guard (0...1).contains(initialThreshold) else { throw ValidationError("--initial-threshold must be in 0...1, not \(initialThreshold)") }
        guard rateLimit >= 0, rateBurst >= 1 else { throw ValidationError("--rate-limit must be ≥ 0 and --rate-burst ≥ 1") }
        _ = try helpdeskAccounts()
        _ = try issueTrackers()
        let token = try resolvedToken()
        if let host, token == nil, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ValidationError("--host \(host) without a token would serve the API to the network unauthenticated; "
                + "give --token (or LOOPDESK_TOKEN), or bind to 127.0.0.1")
        }
    }

    func logger() -> Logger {
        var logger = Logger(label: "loopdesk")
        logger.logLevel = logLevel
        return logger
    }

    /// The HTTP configuration these options give.
    func configuration(host address: String, token: String?) -> LoopdeskHTTPConfiguration {
        var configuration = LoopdeskHTTPConfiguration(host: address, port: port, token: token)
        configuration.secureCookies = secureCookies
        configuration.helpdeskSecrets = Self.helpdeskSecrets(environment: ProcessInfo.processInfo.environment)
        configuration.helpdeskRoutesAcceptToken = helpdeskRoutesAcceptToken
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.maxConnections = maxConnections
        configuration.rateLimit = rateLimit == 0 ? nil : RequestRateLimit(requestsPerSecond: rateLimit, burst: rateBurst)
        return configuration
    }

    /// The write-back accounts of `--zendesk`, `--freshdesk` and `--intercom`, credentials from the environment.
    func helpdeskAccounts() throws -> HelpdeskAccounts {
        var urls: [HelpdeskWebhookVerifier.Helpdesk: String] = [:]
        urls[.zendesk] = zendesk
        urls[.freshdesk] = freshdesk
        urls[.intercom] = intercom
        do {
            return try HelpdeskAccounts.from(urls: urls, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The issue trackers of `--linear-team` and `--jira`, credentials from the environment.
    func issueTrackers() throws -> IssueTrackers {
        do {
            return try IssueTrackers.from(linearTeam: linearTeam, linearURL: linearURL, jiraURL: jira, jiraProject: jiraProject,
                                          environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The helpdesks' webhook secrets from the environment (``HelpdeskWebhookVerifier/environmentVariable(_:)``);
    /// a blank value counts as none, so its helpdesk's route refuses every delivery.
    static func helpdeskSecrets(environment: [String: String]) -> [HelpdeskWebhookVerifier.Helpdesk: String] {
        var secrets: [HelpdeskWebhookVerifier.Helpdesk: String] = [:]
        for helpdesk in HelpdeskWebhookVerifier.Helpdesk.allCases {
            if let value = environment[HelpdeskWebhookVerifier.environmentVariable(helpdesk)], !value.allSatisfy(\.isWhitespace) {
                secrets[helpdesk] = value
            }
        }
        return secrets
    }

    /// Opens the service, serves HTTP until SIGTERM or SIGINT, then closes the service.
    func serve(storage: any WorkspaceStorage, placement: CorePlacement, logger: Logger) async throws {
        let token = try resolvedToken()
        let address = host ?? (token == nil ? "127.0.0.1" : "0.0.0.0")
        if token == nil {
            logger.notice("no token (--token or LOOPDESK_TOKEN): authentication is off, so the API is bound to \(address) only")
        }
        var support = SupportConfiguration()
        support.agentArticles = agentArticles
        support.defaultMode = defaultMode
        support.policy.topicMinimumEvidence = topicMinEvidence
        support.policy.targetWrongRate = targetWrongRate
        support.policy.initialThreshold = initialThreshold
        support.deployedAt = deployedAt?.date
        support.helpdesks = try helpdeskAccounts()
        support.trackers = try issueTrackers()
        for helpdesk in support.helpdesks.accounts.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            logger.info("writing answers back into \(helpdesk.rawValue) at host \(support.helpdesks.accounts[helpdesk]?.baseURL.host ?? "?")")
        }
        let clock: any SupportClock = clockFrom.map { ShiftedClock(start: $0.date) } ?? SystemClock()
        let loaded = try Embedder.load(modelDirectory: modelDir)
        let batching = embedBatch == 0 ? nil : BatchingEmbedder(loaded, maximumBatch: embedBatch)
        let embedder: any SentenceEmbedder = batching ?? loaded
        let workspaces = try Workspaces(storage: storage, placement: placement, embedder: embedder,
                                        clock: clock, configuration: support, logger: logger)
        let service = workspaces.defaultService
        let app = LoopdeskHTTPServer.buildApplication(workspaces: workspaces, configuration: configuration(host: address, token: token),
                                                      logger: logger)
        let cores = placement.cores.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        logger.info("serving http://\(address):\(port) (store \(storage.location(of: .default)), cores \(cores), embedder \(service.embedder.identity), agent articles: \(agentArticles.rawValue), default mode: \(defaultMode.rawValue))")
        do {
            try await app.runService()
        } catch {
            await workspaces.close()
            throw error
        }
        await workspaces.close()
        if let counts = batching?.batchCounts {
            logger.info("embedded \(counts.texts) questions in \(counts.batches) forward passes (largest \(counts.largestBatch))")
        }
        logger.info("HTTP server stopped")
    }
}

extension AgentArticles: ExpressibleByArgument {}

import Embedding
import Foundation
import Logging
import Primitives
import Wire

/// The answer service: asks, decides and learns (docs/ARCHITECTURE.md, "The learning loop").
///
/// It owns the text — articles, conversations, answers, outcomes — in its
/// ``SupportStore`` and talks to `loopdesk-core` only over the socket protocol
/// (``CoreGateway``). Every method may be called from any number of tasks at once.
///
/// The loop, one folder each: `Asking/` (a question → RANK), `Escalation/` (answer
/// or escalate), `Learning/` (an outcome → feedback, aliases, articles), `Gaps/`
/// (what it does not know), `Insights/` (reports); `KnowledgeBase/` and `Imports/`
/// fill it, `Store/` keeps it, `CoreLink/` reaches the core.
///
/// ```swift
/// let service = try await SupportService.open(databasePath: "loopdesk.sqlite", coreSocket: "core.sock",
///                                             embedder: try Embedder.load(), clock: SystemClock(),
///                                             configuration: SupportConfiguration())
/// try await service.upsertArticles([ArticleInput(id: "reset", title: "Reset your password", body: "…")])
/// let reply = try await service.ask(AskRequest(text: "I forgot my password"))
/// try await service.recordOutcome(OutcomeRequest(impressionID: reply.impressionID, outcome: .resolved))
/// ```
public final class SupportService: Sendable {
    /// Where the text lives: the source of truth the core can be rebuilt from (``reindex(progress:)``).
    public let store: any SupportStore
    /// The way to the core's knowledge-base collection.
    public let core: CoreGateway
    /// What questions and articles are embedded with; its identity is recorded in the store.
    public let embedder: any TextEmbedder
    /// Where the service reads the time: the wall clock, or the replay's simulated one.
    public let clock: any SupportClock
    /// The settings the service was opened with.
    public let configuration: SupportConfiguration
    /// The thresholds the decision is held to, learned from judged answers.
    public let policy: EscalationPolicy
    let outbox: OutboxDelivery
    let aliasDirectory: AliasDirectory
    /// The no-article group once found, or that it was not there at a learned-state version
    /// (``noArticleGroup()``).
    let noArticleGroupCache = Locked<NoArticleGroupLookup>(.unknown)
    /// The modes someone set, by topic (``TopicMode``), read from the store at start and kept
    /// with it by ``setMode(_:ofTopic:)``.
    let topicModes: Locked<[String: TopicMode]>
    /// Knowledge gaps and bug clusters.
    public let gaps: GapTracker
    let generation: Locked<Int>
    /// The store's learned-state version the caches reflect (``followOtherInstances()``).
    let learnedStateMark: Locked<LearnedStateMark>
    /// Where the service logs (its workspace in the metadata, under `Workspaces`).
    public let logger: Logger
    private let background = Locked<Task<Void, Never>?>(nil)

    static let generationKey = "core.generation"

    /// Creates a service over an open store and a core gateway.
    ///
    /// Reads what it keeps in memory from the store: the policy's evidence (learning
    /// on), the collection's generation and the active aliases.
    /// - Throws: the store's errors.
    public init(store: any SupportStore, core: CoreGateway, embedder: any TextEmbedder, clock: any SupportClock,
                configuration: SupportConfiguration, logger: Logger = Logger(label: "loopdesk.support")) throws {
        self.store = store
        self.core = core
        self.embedder = embedder
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        try configuration.gaps.validateWebhookURLs()
        if configuration.gaps.webhookSecret == nil, configuration.gaps.bugWebhookURL != nil || configuration.gaps.gapWebhookURL != nil {
            logger.warning("webhooks are configured without LOOPDESK_WEBHOOK_SECRET: deliveries go unsigned")
        }
        let policyConfiguration = EscalationDecision.policyConfiguration(for: configuration)
        let evidence = configuration.learning ? try store.judgedAnswers(limit: policyConfiguration.window) : []
        policy = EscalationPolicy(configuration: policyConfiguration, evidence: evidence,
                                  topicCounts: configuration.learning ? try store.judgedCountsByTopic() : [:])
        learnedStateMark = Locked(LearnedStateMark(version: Int(try store.value(forKey: Self.learningVersionKey) ?? "0") ?? 0))
        topicModes = Locked(try store.topicModes())
        let current = Int(try store.value(forKey: Self.generationKey) ?? "1") ?? 1
        generation = Locked(current)
        outbox = OutboxDelivery(store: store, core: core, generation: current, logger: logger)
        aliasDirectory = try AliasDirectory(store: store)
        gaps = GapTracker(store: store, articles: store, knowledgeBase: core, configuration: configuration.gaps,
                          helpdesks: configuration.helpdesks, trackers: configuration.trackers, clock: clock, logger: logger)
        try store.write { w in try w.setValue(embedder.identity.description, forKey: "embedder") }
    }

    /// Opens the SQLite store at `databasePath` and a gateway to the core at `coreSocket`.
    /// The core need not be up yet: the first request that needs it connects.
    /// - Throws: ``SupportError/storeFailure(_:)`` when the database cannot be opened; the store's errors.
    public static func open(databasePath: String, coreSocket: String, embedder: any TextEmbedder,
                            clock: any SupportClock = SystemClock(), configuration: SupportConfiguration = SupportConfiguration(),
                            logger: Logger = Logger(label: "loopdesk.support")) async throws -> SupportService {
        let store = try SQLiteStore(path: databasePath)
        let gateway = CoreGateway(socketPath: coreSocket, collection: configuration.collection, dimension: embedder.dimension)
        return try SupportService(store: store, core: gateway, embedder: embedder, clock: clock,
                                  configuration: configuration, logger: logger)
    }

    /// Retries the core outbox every `interval` seconds while anything is queued
    /// (outcomes that arrived while the core was down), and delivers the webhook outbox once
    /// now — events and helpdesk comments queued before a restart — which then keeps its own
    /// retry timer.
    public func startBackgroundDelivery(interval: TimeInterval = 2) {
        let gaps = self.gaps
        Task { await gaps.deliverWebhooks() }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                guard let self else { return }
                let pending: Int
                do {
                    pending = try self.store.pendingOperationCount()
                } catch {
                    DataPathFailures.shared.record(.outboxCount, error, what: "reading the core outbox", logger: self.logger)
                    pending = 1   // try a delivery anyway: it reads the outbox itself
                }
                if pending > 0 { await self.outbox.flush() }
            }
        }
        background.withLock { $0?.cancel(); $0 = task }
    }

    /// Delivers queued core operations now.
    /// - Returns: whether nothing is left queued.
    @discardableResult
    public func deliverPending() async -> Bool { await outbox.flush() }

    /// Stops background delivery and closes the core connection.
    public func close() async {
        background.withLock { $0?.cancel(); $0 = nil }
        await gaps.close()
        core.close()
    }

    /// Whether the core answers now.
    public func coreIsReachable() async -> Bool {
        (try? await core.run { client in try await client.ping() }) != nil
    }

    /// The core collection's generation now: impressions of an earlier one accept no feedback.
    var currentGeneration: Int { generation.withLock { $0 } }
}

import Foundation
import Logging
import Primitives
import Wire

/// A deployment's workspaces: one ``SupportService`` per workspace, opened on its first
/// request, each over its own store (``WorkspaceStorage``) and its own core collections
/// (``WorkspaceName/knowledgeBaseCollection``, ``WorkspaceName/gapCollection``) on the core
/// the ``CorePlacement`` names.
///
/// Nothing is shared between two workspaces' services but the embedder and the clock:
/// not a store, not a collection, not the escalation policy's evidence, not a cache.
/// The catalog says which workspaces exist and which token reaches which; every request
/// for a workspace other than the default one checks it, so a workspace deleted through
/// another instance on the same catalog stops being served here too.
public final class Workspaces: Sendable {
    /// The catalog and the stores; nil for a service that serves only its default workspace.
    public let storage: (any WorkspaceStorage)?
    /// Where each workspace's collections are.
    public let placement: CorePlacement
    /// The service of the default workspace (the unprefixed routes).
    public let defaultService: SupportService
    let embedder: any TextEmbedder
    let clock: any SupportClock
    let template: SupportConfiguration
    let logger: Logger
    let backgroundDelivery: Bool
    /// The services open now, with the creation time of the workspace each was opened for: a
    /// workspace deleted and created again through another instance is a new one, reopened here.
    private let opened = Locked<[WorkspaceName: (createdAt: Date, service: SupportService)]>([:])

    /// The workspaces of `storage`; opens the default one's service at once.
    /// - Parameters:
    ///   - storage: the catalog and the stores.
    ///   - placement: the cores.
    ///   - embedder: shared by every workspace (one model in memory).
    ///   - clock: the service's clock.
    ///   - configuration: every workspace's settings; its collections are replaced by the workspace's own
    ///     (the default workspace keeps `configuration.collection` and `configuration.gaps.collection`).
    ///   - backgroundDelivery: start each service's outbox delivery when it opens (off in tests that drive it).
    /// - Throws: the default store's errors.
    public init(storage: any WorkspaceStorage, placement: CorePlacement, embedder: any TextEmbedder, clock: any SupportClock,
                configuration: SupportConfiguration, logger: Logger = Logger(label: "loopdesk.support"),
                backgroundDelivery: Bool = true) throws {
        self.storage = storage
        self.placement = placement
        self.embedder = embedder
        self.clock = clock
        template = configuration
        self.logger = logger
        self.backgroundDelivery = backgroundDelivery
        defaultService = try Self.openService(.default, store: try storage.openStore(for: .default), placement: placement,
                                              embedder: embedder, clock: clock, template: configuration, logger: logger)
        if backgroundDelivery { defaultService.startBackgroundDelivery() }
    }

    /// A deployment of one workspace, `service` (tests, and embedders of the service without a
    /// workspace folder): `/v1/w/default/…` serves it, and any other workspace is unknown.
    public init(serving service: SupportService) {
        storage = nil
        placement = CorePlacement(socket: service.core.socketPath)
        defaultService = service
        embedder = service.embedder
        clock = service.clock
        template = service.configuration
        logger = service.logger
        backgroundDelivery = false
    }

    /// The service of `workspace`, opened on first use.
    /// - Throws: ``SupportError/unknownWorkspace(_:)`` when the catalog has no such workspace; its store's errors.
    public func service(for workspace: WorkspaceName) throws -> SupportService {
        if workspace.isDefault { return defaultService }
        guard let storage, let record = try storage.catalog.workspace(named: workspace) else {
            // Deleted through another instance: what this one still has open of it is closed now.
            if let gone = opened.withLock({ $0.removeValue(forKey: workspace) }) { Task { await gone.service.close() } }
            throw SupportError.unknownWorkspace(workspace.rawValue)
        }
        let (service, isNew, stale) = try opened.withLock { open -> (SupportService, Bool, SupportService?) in
            if let entry = open[workspace], entry.createdAt == record.createdAt { return (entry.service, false, nil) }
            let service = try Self.openService(workspace, store: try storage.openStore(for: workspace), placement: placement,
                                               embedder: embedder, clock: clock, template: template, logger: logger)
            let previous = open.updateValue((record.createdAt, service), forKey: workspace)
            return (service, true, previous?.service)
        }
        if isNew {
            if let stale { Task { await stale.close() } }
            if backgroundDelivery { service.startBackgroundDelivery() }
            logger.info("workspace \(workspace) opened (store \(storage.location(of: workspace)), core \(placement.coreName(for: workspace)))")
        }
        return service
    }

    /// The default workspace, then every created one, by name.
    /// - Throws: the catalog's errors.
    public func list() throws -> [WorkspaceRecord] {
        [WorkspaceRecord(name: .default, createdAt: Date(timeIntervalSince1970: 0))] + (try storage?.catalog.workspaces() ?? [])
    }

    /// The services open now, the default one first: what `/metrics` reports on.
    public func openServices() -> [(workspace: WorkspaceName, service: SupportService)] {
        [(WorkspaceName.default, defaultService)] + opened.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value.service) } }
    }

    /// Creates `workspace` and mints its first token.
    /// - Returns: the token, in clear: it is shown once and stored only hashed.
    /// - Throws: ``SupportError/workspaceExists(_:)``; ``SupportError/invalidRequest(_:)`` for `default`
    ///   or a service without a workspace folder.
    public func create(_ workspace: WorkspaceName) throws -> String {
        let storage = try requireStorage()
        guard !workspace.isDefault else { throw SupportError.workspaceExists(workspace.rawValue) }
        let token = WorkspaceToken.mint()
        try storage.catalog.createWorkspace(workspace, tokenHash: WorkspaceToken.hash(of: token), at: clock.now)
        _ = try service(for: workspace)   // its store is created now, so a failure shows here, not at the first ask
        return token
    }

    /// Mints another token for `workspace` (rotation: the old ones stay valid until the workspace is deleted).
    /// - Returns: the token in clear.
    /// - Throws: ``SupportError/unknownWorkspace(_:)``; the catalog's errors.
    public func mintToken(for workspace: WorkspaceName) throws -> String {
        let storage = try requireStorage()
        guard !workspace.isDefault else {
            throw SupportError.invalidRequest("the default workspace is reached with the service's own token (--token)")
        }
        guard try storage.catalog.workspace(named: workspace) != nil else { throw SupportError.unknownWorkspace(workspace.rawValue) }
        let token = WorkspaceToken.mint()
        try storage.catalog.addToken(hash: WorkspaceToken.hash(of: token), scope: .workspace(workspace), at: clock.now)
        return token
    }

    /// Deletes `workspace`: its core collections first (so a core that is down leaves everything
    /// as it was, and the call can be repeated), then its catalog entry and tokens, then its store.
    /// - Returns: what was removed.
    /// - Throws: ``SupportError/unknownWorkspace(_:)``; ``SupportError/coreUnavailable(reason:retryAfter:)``
    ///   when its core cannot be reached (nothing was removed); the store's errors.
    public func delete(_ workspace: WorkspaceName) async throws -> WorkspaceDeletion {
        let storage = try requireStorage()
        guard !workspace.isDefault else { throw SupportError.invalidRequest("the default workspace cannot be deleted") }
        let service = try service(for: workspace)
        var removed = try WorkspaceDeletion(workspace: workspace, store: service.store)
        let collections = [service.configuration.collection, service.configuration.gaps.collection]
        removed.vectors = try await service.core.run { client in
            let counts = Dictionary(try await client.listCollections().map { ($0.name, Int($0.count)) }, uniquingKeysWith: { a, _ in a })
            var vectors = 0
            for name in collections where counts[name] != nil {
                try await client.dropCollection(name: name)
                vectors += counts[name] ?? 0
            }
            return vectors
        }
        _ = try storage.catalog.deleteWorkspace(workspace)
        let closing = opened.withLock { $0.removeValue(forKey: workspace) }
        await closing?.service.close()
        try storage.removeStore(for: workspace)
        logger.notice("workspace \(workspace) deleted: \(removed.articles) articles, \(removed.answers) answers, \(removed.vectors) vectors")
        return removed
    }

    /// The scope of a presented token among the catalog's (the admin token is the HTTP layer's to compare).
    /// - Returns: nil when no stored token has its hash, or the service has no catalog.
    /// - Throws: the catalog's errors.
    public func scope(ofToken token: String) throws -> TokenScope? {
        guard let storage, token.hasPrefix(WorkspaceToken.prefix) else { return nil }
        return try storage.catalog.scope(ofTokenHash: WorkspaceToken.hash(of: token))
    }

    /// Closes every open service, the default one included.
    public func close() async {
        let services = opened.withLock { open in
            defer { open.removeAll() }
            return open.values.map(\.service)
        }
        for service in services { await service.close() }
        await defaultService.close()
    }

    private func requireStorage() throws -> any WorkspaceStorage {
        guard let storage else {
            throw SupportError.invalidRequest("this service serves only its default workspace: it was started without a workspace catalog")
        }
        return storage
    }

    /// Opens one workspace's service alone, for a command that works on the store directly
    /// (`loopdesk … --db FILE --core SOCKET --workspace NAME`).
    /// - Throws: ``SupportError/unknownWorkspace(_:)`` when the catalog has no such workspace; the store's errors.
    public static func openService(_ workspace: WorkspaceName, storage: any WorkspaceStorage, coreSocket: String, embedder: any TextEmbedder,
                                   clock: any SupportClock = SystemClock(), configuration: SupportConfiguration = SupportConfiguration(),
                                   logger: Logger = Logger(label: "loopdesk.support")) throws -> SupportService {
        if !workspace.isDefault, try storage.catalog.workspace(named: workspace) == nil {
            throw SupportError.unknownWorkspace(workspace.rawValue)
        }
        return try openService(workspace, store: try storage.openStore(for: workspace), placement: CorePlacement(socket: coreSocket),
                               embedder: embedder, clock: clock, template: configuration, logger: logger)
    }

    static func openService(_ workspace: WorkspaceName, store: any SupportStore, placement: CorePlacement, embedder: any TextEmbedder,
                            clock: any SupportClock, template: SupportConfiguration, logger: Logger) throws -> SupportService {
        var configuration = template
        if !workspace.isDefault {
            configuration.collection = workspace.knowledgeBaseCollection
            configuration.gaps.collection = workspace.gapCollection
        }
        var workspaceLogger = logger
        workspaceLogger[metadataKey: "workspace"] = "\(workspace)"
        let core = CoreGateway(socketPath: placement.socket(for: workspace), collection: configuration.collection,
                               dimension: embedder.dimension)
        return try SupportService(store: store, core: core, embedder: embedder, clock: clock, configuration: configuration,
                                  logger: workspaceLogger)
    }
}

/// What deleting a workspace removed.
public struct WorkspaceDeletion: Sendable, Equatable {
    /// The workspace deleted.
    public var workspace: WorkspaceName
    /// Published articles in its store.
    public var articles = 0
    /// Answers it had given (questions asked).
    public var answers = 0
    /// Outcomes recorded for them.
    public var outcomes = 0
    /// Active learned aliases.
    public var aliases = 0
    /// Open knowledge gaps and bug clusters.
    public var openGaps = 0
    /// Vectors in its core collections.
    public var vectors = 0

    init(workspace: WorkspaceName, store: any SupportStore) throws {
        self.workspace = workspace
        articles = try store.articleCount()
        let counters = try store.counters()
        answers = counters.asks
        outcomes = counters.outcomes.values.reduce(0, +)
        aliases = try store.aliasCount(articleKey: nil)
        openGaps = counters.openGaps.values.reduce(0, +)
    }
}

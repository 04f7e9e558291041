import VectorIndex
import Wire

/// The seam through which another module (the ranker: `RANK`, `FEEDBACK`)
/// adds request kinds and rides in the collections' snapshots and logs,
/// without `CoreServer` knowing its types.
///
/// ```swift
/// var extensions = ServerExtensions()
/// extensions.handlers[.rank] = KindHandler(executesInline: false) { payload, collections in
///     let request = try RankRequest.decode(payload: payload)        // the ranker's codec
///     let kb = try collections.handle(request.collection, for: .rank)
///     return try ranker.rank(request, in: kb.collection).payloadBytes
/// }
/// extensions.collectionExtensions = { name in ranker.persistenceHooks(for: name) }
/// let server = try CoreServer(configuration: config, extensions: extensions)
/// ```
public struct ServerExtensions: Sendable {
    /// Handlers by kind, consulted before the core kinds; a kind with no
    /// handler that `Wire` does not define is answered `UNKNOWN_KIND`.
    public var handlers: [MessageKind: KindHandler] = [:]
    /// The snapshot and log hooks for a collection, by name, passed to
    /// `DataDirectory` when it is created or recovered.
    public var collectionExtensions: @Sendable (String) -> CollectionExtensions = { _ in CollectionExtensions() }

    public init() {}
}

/// Answers one request kind added by an extension.
public struct KindHandler: Sendable {
    /// Whether the request is cheap enough to answer on the connection's own
    /// thread even when more requests are pipelined behind it.
    public var executesInline: Bool
    /// Decodes `payload` (the request's bytes, copied) and returns the reply
    /// payload, or throws the ``WireError`` to send instead.
    public var respond: @Sendable (_ payload: [UInt8], _ collections: CollectionRegistry) throws -> [UInt8]

    public init(executesInline: Bool,
                respond: @escaping @Sendable (_ payload: [UInt8], _ collections: CollectionRegistry) throws -> [UInt8]) {
        self.executesInline = executesInline
        self.respond = respond
    }
}

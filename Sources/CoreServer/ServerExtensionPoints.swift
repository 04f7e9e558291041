import VectorIndex
import Wire

/// The seam through which another module adds request kinds and rides in
/// the collections' snapshots and logs, without `CoreServer` knowing its types.
/// (The ranker, `RANK` and `FEEDBACK`, is built in since protocol 1.2:
/// `CollectionRanking`; a handler registered for one of its kinds overrides it.)
///
/// ```swift
/// var extensions = ServerExtensionPoints()
/// extensions.handlers[MessageKind(rawValue: 0x33)] = KindHandler(executesInline: false) { payload, collections in
///     let request = try MyRequest.decode(payload: payload)           // the module's codec
///     let kb = try collections.handle(request.collection, for: MessageKind(rawValue: 0x33))
///     return try myModule.answer(request, in: kb.collection).payloadBytes
/// }
/// extensions.collectionExtensions = { name in myModule.persistenceHooks(for: name) }  // record kinds ≥ 18
/// let server = try CoreServer(configuration: config, extensions: extensions)
/// ```
public struct ServerExtensionPoints: Sendable {
    /// Handlers by kind, consulted before the core kinds; a kind with no
    /// handler that `Wire` does not define is answered `UNKNOWN_KIND`.
    public var handlers: [MessageKind: KindHandler] = [:]
    /// The snapshot and log hooks for a collection, by name, passed to
    /// `DataDirectory` when it is created or recovered.
    public var collectionExtensions: @Sendable (String) -> CollectionExtensions = { _ in CollectionExtensions() }

    /// No added kinds and no collection hooks: the core as it is.
    public init() {}
}

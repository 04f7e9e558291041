/// Answers one request kind added by an extension.
public struct KindHandler: Sendable {
    /// Whether the request is cheap enough to answer on the connection's own
    /// thread even when more requests are pipelined behind it.
    public var executesInline: Bool
    /// Decodes `payload` (the request's bytes, copied) and returns the reply
    /// payload, or throws the ``WireError`` to send instead.
    public var respond: @Sendable (_ payload: [UInt8], _ collections: CollectionRegistry) throws -> [UInt8]

    /// A handler; see ``executesInline`` and ``respond``.
    public init(executesInline: Bool,
                respond: @escaping @Sendable (_ payload: [UInt8], _ collections: CollectionRegistry) throws -> [UInt8]) {
        self.executesInline = executesInline
        self.respond = respond
    }
}

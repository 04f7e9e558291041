import Wire

/// The server's cap on one reply (``ServerConfiguration/maxReplyBytes``):
/// checked against each request's bound before the request executes, and
/// once more on the encoded reply, so that no request can make the server
/// build, hold or send a reply above it (`docs/PROTOCOL.md` §11).
struct ReplyLimit: Sendable {
    /// The largest reply payload, in bytes.
    let maxBytes: Int

    init(maxBytes: Int) {
        self.maxBytes = min(max(maxBytes, 0), Int(WireProtocol.maxPayloadLength))
    }

    /// Throws `RESOURCE_EXHAUSTED` when a reply of up to `bytes` would exceed the limit.
    /// - Parameters:
    ///   - bytes: the reply's bound (or its size so far).
    ///   - context: the request, as messages name it (`SEARCH kb`).
    ///   - because: what makes the reply that large (`100 queries × k = 10000`).
    ///   - advice: what the client can do instead.
    func check(_ bytes: Int, _ context: @autoclosure () -> String, because: @autoclosure () -> String,
               advice: @autoclosure () -> String) throws(WireError) {
        guard bytes > maxBytes else { return }
        let size = bytes == .max ? "more than \(Int.max)" : "up to \(bytes)"
        throw WireError(.resourceExhausted,
                        "\(context()): the reply would be \(size) bytes (\(because())), above the server's reply limit of "
                            + "\(maxBytes) bytes (serve --max-reply-bytes); it was refused before executing; \(advice())")
    }

    /// The `RESOURCE_EXHAUSTED` error for a reply that turned out larger than
    /// the limit once encoded (replies whose size the server's own state
    /// decides, such as `STATS` of many collections): it is not sent.
    func encodedTooLarge(_ context: String, _ error: WireError) -> WireError {
        WireError(.resourceExhausted,
                  "\(context): \(error.message) (the server's reply limit, serve --max-reply-bytes); the reply was not sent")
    }
}

/// A protocol error: a machine-readable ``ErrorCode`` and a message for people.
///
/// The codec throws it when bytes break `docs/PROTOCOL.md` (the code says
/// which rule, the message names the field and the offending value); the
/// client throws it when the server answers a request with an error frame;
/// the server turns it into an error frame with ``ErrorPayload``.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as the protocol numbers it.
    public var code: ErrorCode
    /// What was wrong, with the offending value, and what to do.
    public var message: String

    /// Creates an error with a code and a message for people; the message should
    /// name the field, the offending value and what to do.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE_NAME: message`, the form logs and CLI errors print.
    public var description: String { "\(code.name): \(message)" }
}

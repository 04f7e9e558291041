import Foundation

/// Faults a helpdesk test double injects before answering normally: the next requests, in
/// order, get these answers whatever they are (then the double's documented behaviour).
public enum FakeHelpdeskFault: Sendable, Equatable {
    /// An error status with the helpdesk's error body.
    case status(Int)
    /// 429 with `Retry-After: seconds` (Intercom: `X-RateLimit-Reset`, the Unix time that far ahead).
    case rateLimited(retryAfter: Int)
    /// The connection closes without an answer.
    case hangUp
}

/// One comment a helpdesk double accepted: what a person would see on the ticket.
public struct FakeHelpdeskComment: Sendable, Equatable {
    /// The ticket (or conversation) id.
    public var ticketID: String
    /// The text as sent (HTML for Freshdesk and Intercom).
    public var body: String
    /// A public reply (true) or an internal note (false).
    public var isPublic: Bool
}

/// A helpdesk's test double: an HTTP server answering as the helpdesk documents
/// (``zendesk(email:apiToken:tickets:faults:port:log:)``, ``freshdesk(apiKey:tickets:faults:port:log:)``,
/// ``intercom(accessToken:adminID:conversations:faults:port:log:)``), the comments it accepted,
/// and every request it saw.
public final class FakeHelpdeskAPI: @unchecked Sendable {
    let state: FakeHelpdeskState
    /// The HTTP server (its requests, URL and port).
    public let server: FakeHTTPServer

    /// A double answering with `handle`, given the faults to inject first and the tickets that exist.
    init(faults: [FakeHelpdeskFault], tickets: Set<String>, port: UInt16, log: (@Sendable (String) -> Void)?,
         handle: @escaping @Sendable (FakeHTTPServer.Request, FakeHelpdeskState) -> FakeHTTPServer.Reply) throws {
        let state = FakeHelpdeskState(faults: faults, tickets: tickets, log: log)
        self.state = state
        server = try FakeHTTPServer(port: port) { request in state.report(request, handle(request, state)) }
    }

    /// The comments it accepted, in order.
    public var comments: [FakeHelpdeskComment] { state.comments }
    /// Its base URL, as given to `--zendesk`, `--freshdesk` or `--intercom`.
    public var baseURL: URL { server.url() }
    /// Every request it received.
    public var requests: [FakeHTTPServer.Request] { server.requests }
    /// Stops it.
    public func stop() { server.stop() }
}

/// The state a helpdesk double keeps between requests: the faults still to inject and the
/// comments accepted, guarded for the server's thread.
final class FakeHelpdeskState: @unchecked Sendable {
    private let lock = NSLock()
    private var faults: [FakeHelpdeskFault]
    private var accepted: [FakeHelpdeskComment] = []
    let tickets: Set<String>
    let log: (@Sendable (String) -> Void)?

    init(faults: [FakeHelpdeskFault], tickets: Set<String>, log: (@Sendable (String) -> Void)?) {
        self.faults = faults
        self.tickets = tickets
        self.log = log
    }

    func nextFault() -> FakeHelpdeskFault? { lock.withLock { faults.isEmpty ? nil : faults.removeFirst() } }
    func accept(_ comment: FakeHelpdeskComment) { lock.withLock { accepted.append(comment) } }
    var comments: [FakeHelpdeskComment] { lock.withLock { accepted } }
    /// Whether the double knows `ticket` (every ticket, when it was given none).
    func knows(_ ticket: String) -> Bool { tickets.isEmpty || tickets.contains(ticket) }

    /// `Basic base64(credentials)`.
    static func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }

    /// The first capture group of `pattern` in `text`, or nil.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    /// A one-line summary of a request and its answer, for a person watching (scripts/demo-helpdesk.sh).
    func report(_ request: FakeHTTPServer.Request, _ reply: FakeHTTPServer.Reply) -> FakeHTTPServer.Reply {
        guard let log else { return reply }
        let status: String
        switch reply {
        case .hangUp: status = "(hung up)"
        case .respond(let response): status = "→ \(response.status)"
        }
        let auth = request.headers["authorization"].map { $0.split(separator: " ").first.map(String.init) ?? "?" } ?? "no auth"
        log("\(request.method) \(request.path) [\(auth), \(request.body.count) bytes] \(status)\n  \(String(decoding: request.body, as: UTF8.self))")
        return reply
    }
}

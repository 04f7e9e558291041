import Foundation

/// A test double of Zendesk's Support API, as far as Loopdesk writes to it: Update Ticket with
/// a comment, `PUT /api/v2/tickets/{id}.json` with `{"ticket": {"comment": {"body", "public"}}}`
/// under basic authentication `EMAIL/token:API_TOKEN`
/// (<https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket>,
/// <https://developer.zendesk.com/api-reference/introduction/security-and-auth/>). It checks
/// every request as Zendesk would and answers in Zendesk's documented shapes: 200 with the
/// ticket and its audit; 401 `{"error": "Couldn't authenticate you"}`; 404 `RecordNotFound`;
/// 422 `RecordInvalid`; 429 with `Retry-After` when a fault says so.
extension FakeHelpdeskAPI {
    /// A Zendesk double.
    /// - Parameters:
    ///   - email, apiToken: the credentials it accepts.
    ///   - tickets: the ticket ids that exist (empty: every id exists).
    ///   - faults: answers for the first requests, before the normal ones.
    ///   - port: 0 for a free one.
    ///   - log: called with a summary of every request (the demo prints it).
    public static func zendesk(email: String, apiToken: String, tickets: Set<String> = [], faults: [FakeHelpdeskFault] = [],
                               port: UInt16 = 0, log: (@Sendable (String) -> Void)? = nil) throws -> FakeHelpdeskAPI {
        let expected = FakeHelpdeskState.basic("\(email)/token:\(apiToken)")
        return try FakeHelpdeskAPI(faults: faults, tickets: tickets, port: port, log: log) { request, state in
            FakeZendesk.handle(request, state: state, auth: expected)
        }
    }
}

/// Zendesk's side of the conversation.
enum FakeZendesk {
    static func handle(_ request: FakeHTTPServer.Request, state: FakeHelpdeskState, auth: String) -> FakeHTTPServer.Reply {
        switch state.nextFault() {
        case .hangUp: return .hangUp
        case .rateLimited(let seconds):
            return .respond(.json(429, ["error": "APIRateLimitExceeded", "description": "Rate limit exceeded"],
                                  headers: [("Retry-After", String(seconds))]))
        case .status(let status): return .respond(.json(status, ["error": "InternalError", "description": "fault injected by the test"]))
        case nil: break
        }
        guard request.method == "PUT", let ticket = FakeHelpdeskState.capture(#"^/api/v2/tickets/([0-9]+)\.json$"#, in: request.path) else {
            return .respond(.json(404, ["error": "InvalidEndpoint", "description": "Not found"]))
        }
        guard request.headers["authorization"] == auth else { return .respond(.json(401, ["error": "Couldn't authenticate you"])) }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true,
              let comment = (request.json?["ticket"] as? [String: Any])?["comment"] as? [String: Any],
              let body = comment["body"] as? String, !body.isEmpty else {
            return .respond(.json(422, ["error": "RecordInvalid", "description": "Record validation errors",
                                        "details": ["base": [["description": "Comment: body is required"]]]]))
        }
        guard state.knows(ticket) else { return .respond(.json(404, ["error": "RecordNotFound", "description": "Not found"])) }
        let isPublic = comment["public"] as? Bool ?? true
        state.accept(FakeHelpdeskComment(ticketID: ticket, body: body, isPublic: isPublic))
        let id = Int(ticket) ?? 0
        return .respond(.json(200, [
            "ticket": ["id": id, "status": "open", "url": "https://example.zendesk.com/api/v2/tickets/\(ticket).json"],
            "audit": ["id": 1000 + state.comments.count, "ticket_id": id,
                      "events": [["id": 2000 + state.comments.count, "type": "Comment", "body": body, "public": isPublic]]],
        ]))
    }
}

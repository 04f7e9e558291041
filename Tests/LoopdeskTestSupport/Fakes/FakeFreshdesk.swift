import Foundation

/// A test double of Freshdesk's API v2, as far as Loopdesk writes to it: Reply to a ticket,
/// `POST /api/v2/tickets/{id}/reply` `{"body"}`, and Create a note, `POST /api/v2/tickets/{id}/notes`
/// `{"body", "private"}`, under basic authentication `API_KEY:X`
/// (<https://developers.freshdesk.com/api/#reply_ticket>, <https://developers.freshdesk.com/api/#add_note_to_a_ticket>,
/// <https://developers.freshdesk.com/api/#authentication>). Answers as Freshdesk documents: 201 with
/// the conversation; 401 `invalid_credentials`; 404; 400 `Validation failed`; 429 with `Retry-After`.
extension FakeHelpdeskAPI {
    /// A Freshdesk double; the parameters are as ``zendesk(email:apiToken:tickets:faults:port:log:)``'s, with Freshdesk's API key.
    public static func freshdesk(apiKey: String, tickets: Set<String> = [], faults: [FakeHelpdeskFault] = [], port: UInt16 = 0,
                                 log: (@Sendable (String) -> Void)? = nil) throws -> FakeHelpdeskAPI {
        let expected = FakeHelpdeskState.basic("\(apiKey):X")
        return try FakeHelpdeskAPI(faults: faults, tickets: tickets, port: port, log: log) { request, state in
            FakeFreshdesk.handle(request, state: state, auth: expected)
        }
    }
}

/// Freshdesk's side of the conversation.
enum FakeFreshdesk {
    static func handle(_ request: FakeHTTPServer.Request, state: FakeHelpdeskState, auth: String) -> FakeHTTPServer.Reply {
        switch state.nextFault() {
        case .hangUp: return .hangUp
        case .rateLimited(let seconds):
            return .respond(.json(429, ["code": "rate_limit_exceeded", "message": "You have exceeded the limit of requests per hour"],
                                  headers: [("Retry-After", String(seconds))]))
        case .status(let status): return .respond(.json(status, ["code": "internal_error", "message": "fault injected by the test"]))
        case nil: break
        }
        guard request.method == "POST",
              let ticket = FakeHelpdeskState.capture(#"^/api/v2/tickets/([0-9]+)/(?:reply|notes)$"#, in: request.path) else {
            return .respond(.init(status: 404, body: Data()))
        }
        guard request.headers["authorization"] == auth else {
            return .respond(.json(401, ["code": "invalid_credentials", "message": "You have to be logged in to perform this action."]))
        }
        let isNote = request.path.hasSuffix("/notes")
        guard request.headers["content-type"]?.hasPrefix("application/json") == true, let json = request.json,
              let body = json["body"] as? String, !body.isEmpty, !isNote || json["private"] is Bool, isNote || json["private"] == nil else {
            return .respond(.json(400, ["description": "Validation failed",
                                        "errors": [["field": "body", "message": "It should be a/an String", "code": "missing_field"]]]))
        }
        guard state.knows(ticket) else { return .respond(.init(status: 404, body: Data())) }
        let isPublic = !isNote || (json["private"] as? Bool) == false
        state.accept(FakeHelpdeskComment(ticketID: ticket, body: body, isPublic: isPublic))
        return .respond(.json(201, ["id": 5000 + state.comments.count, "body": body, "ticket_id": Int(ticket) ?? 0,
                                    "private": !isPublic, "incoming": false, "created_at": "2026-12-01T00:00:00Z"]))
    }
}

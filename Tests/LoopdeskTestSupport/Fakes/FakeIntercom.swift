import Foundation

/// A test double of Intercom's REST API, as far as Loopdesk writes to it: Reply to a
/// conversation as an admin, `POST /conversations/{id}/reply` with `{"message_type": "comment"
/// | "note", "type": "admin", "admin_id", "body"}` and `Authorization: Bearer TOKEN`
/// (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation>).
/// Answers as Intercom documents: 200 with the conversation and its new part; 401
/// `unauthorized`; 404 `not_found`; 400 `parameter_invalid`; 429 with `X-RateLimit-Reset`
/// (<https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting>).
extension FakeHelpdeskAPI {
    /// An Intercom double; the parameters are as ``zendesk(email:apiToken:tickets:faults:port:log:)``'s, with Intercom's
    /// access token and the admin replies must be authored by.
    public static func intercom(accessToken: String, adminID: String, conversations: Set<String> = [],
                                faults: [FakeHelpdeskFault] = [], port: UInt16 = 0,
                                log: (@Sendable (String) -> Void)? = nil) throws -> FakeHelpdeskAPI {
        try FakeHelpdeskAPI(faults: faults, tickets: conversations, port: port, log: log) { request, state in
            FakeIntercom.handle(request, state: state, auth: "Bearer \(accessToken)", adminID: adminID)
        }
    }
}

/// Intercom's side of the conversation.
enum FakeIntercom {
    static func errors(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []) -> FakeHTTPServer.Reply {
        .respond(.json(status, ["type": "error.list", "errors": [["code": code, "message": message]]], headers: headers))
    }

    static func handle(_ request: FakeHTTPServer.Request, state: FakeHelpdeskState, auth: String, adminID: String) -> FakeHTTPServer.Reply {
        switch state.nextFault() {
        case .hangUp: return .hangUp
        case .rateLimited(let seconds):
            let reset = Int(Date().timeIntervalSince1970) + seconds
            return errors(429, "rate_limit_exceeded", "Exceeded rate limit", headers: [("X-RateLimit-Reset", String(reset))])
        case .status(let status): return errors(status, "server_error", "fault injected by the test")
        case nil: break
        }
        guard request.method == "POST", let id = FakeHelpdeskState.capture(#"^/conversations/([0-9A-Za-z]+)/reply$"#, in: request.path) else {
            return errors(404, "not_found", "Resource Not Found")
        }
        guard request.headers["authorization"] == auth else { return errors(401, "unauthorized", "Access Token Invalid") }
        guard let json = request.json, let kind = json["message_type"] as? String, kind == "comment" || kind == "note",
              json["type"] as? String == "admin", let body = json["body"] as? String, !body.isEmpty else {
            return errors(400, "parameter_invalid", "message_type, type admin and body are required")
        }
        guard json["admin_id"] as? String == adminID else { return errors(404, "admin_not_found", "Admin Not Found") }
        guard state.knows(id) else { return errors(404, "not_found", "Resource Not Found") }
        state.accept(FakeHelpdeskComment(ticketID: id, body: body, isPublic: kind == "comment"))
        return .respond(.json(200, [
            "type": "conversation", "id": id, "state": "open",
            "conversation_parts": ["type": "conversation_part.list", "total_count": 1, "conversation_parts": [
                ["type": "conversation_part", "id": String(7000 + state.comments.count), "part_type": kind, "body": body,
                 "author": ["type": "admin", "id": adminID]],
            ]],
        ]))
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where and as whom Loopdesk writes back into each helpdesk: the base URL given with
/// `--zendesk`, `--freshdesk` or `--intercom`, and the API credentials from the environment.
/// A helpdesk without an account is only read (its webhooks teach; nothing is written back).
///
/// | helpdesk | flag (base URL, used as given) | environment | authentication |
/// | --- | --- | --- | --- |
/// | Zendesk | `--zendesk https://SUB.zendesk.com` | `ZENDESK_EMAIL`, `ZENDESK_API_TOKEN` | basic, `EMAIL/token:API_TOKEN` (<https://developer.zendesk.com/api-reference/introduction/security-and-auth/>) |
/// | Freshdesk | `--freshdesk https://DOMAIN.freshdesk.com` | `FRESHDESK_API_KEY` | basic, `API_KEY:X` (<https://developers.freshdesk.com/api/#authentication>) |
/// | Intercom | `--intercom https://api.intercom.io` | `INTERCOM_ACCESS_TOKEN`, `INTERCOM_ADMIN_ID` | `Authorization: Bearer TOKEN`; replies are authored by the admin (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation>) |
///
/// The URL must be `https://`, or `http://` to a loopback host (a local proxy, a test double).
public struct HelpdeskAccounts: Sendable, Equatable {
    /// One helpdesk's write-back account.
    public struct Account: Sendable, Equatable {
        /// The helpdesk's base URL; the API path is appended to it.
        public var baseURL: URL
        /// Zendesk: the agent's e-mail; Intercom: the admin id replies are authored by; Freshdesk: unused.
        public var user: String
        /// Zendesk: the API token; Freshdesk: the API key; Intercom: the access token.
        public var secret: String

        /// An account.
        public init(baseURL: URL, user: String, secret: String) {
            self.baseURL = baseURL
            self.user = user
            self.secret = secret
        }
    }

    /// The accounts by helpdesk.
    public var accounts: [HelpdeskWebhookVerifier.Helpdesk: Account] = [:]

    /// No write-back anywhere.
    public init() {}

    /// The environment variables a helpdesk's account is read from: (user, secret); Freshdesk has no user.
    public static func environmentVariables(_ helpdesk: HelpdeskWebhookVerifier.Helpdesk) -> (user: String?, secret: String) {
        switch helpdesk {
        case .zendesk: ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN")
        case .freshdesk: (nil, "FRESHDESK_API_KEY")
        case .intercom: ("INTERCOM_ADMIN_ID", "INTERCOM_ACCESS_TOKEN")
        }
    }

    /// Accounts for the helpdesks given a base URL, with credentials from `environment`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming the flag or variable that is wrong or missing.
    public static func from(urls: [HelpdeskWebhookVerifier.Helpdesk: String], environment: [String: String]) throws -> HelpdeskAccounts {
        var result = HelpdeskAccounts()
        for (helpdesk, text) in urls {
            let flag = "--\(helpdesk.rawValue)"
            guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), url.scheme != nil else {
                throw SupportError.invalidRequest("\(flag) \"\(text)\" is not a URL")
            }
            if let problem = GapConfiguration.problem(with: url) { throw SupportError.invalidRequest("\(flag) \(text): \(problem)") }
            let names = environmentVariables(helpdesk)
            func value(_ name: String) throws -> String {
                guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                    throw SupportError.invalidRequest("\(flag) needs \(name) in the environment (docs/HELPDESKS.md)")
                }
                return value
            }
            let user = try names.user.map(value) ?? ""
            result.accounts[helpdesk] = Account(baseURL: url, user: user, secret: try value(names.secret))
        }
        return result
    }

    /// The outbox kind of a helpdesk's write-backs: `helpdesk.zendesk`, ….
    public static func outboxKind(_ helpdesk: HelpdeskWebhookVerifier.Helpdesk) -> String { "helpdesk.\(helpdesk.rawValue)" }

    /// Every write-back outbox kind.
    public static var outboxKinds: [String] { HelpdeskWebhookVerifier.Helpdesk.allCases.map(outboxKind) }
}

/// A comment Loopdesk writes on a ticket: what ``HelpdeskReplyPlan`` decided, kept in the
/// outbox (its JSON is the row's payload) until the helpdesk acknowledged it.
public struct HelpdeskComment: Codable, Sendable, Equatable {
    /// Who sees it.
    public enum Visibility: String, Codable, Sendable {
        /// A reply the customer receives.
        case publicReply = "public_reply"
        /// A note only agents see.
        case internalNote = "internal_note"
    }

    /// The ticket (Zendesk, Freshdesk) or conversation (Intercom) id.
    public var ticketID: String
    /// Public reply or internal note.
    public var visibility: Visibility
    /// The text, plain; turned into HTML for the helpdesks that take HTML.
    public var body: String

    /// A comment.
    public init(ticketID: String, visibility: Visibility, body: String) {
        self.ticketID = ticketID
        self.visibility = visibility
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case visibility, body
        case ticketID = "ticket_id"
    }

    /// Whether `id` can stand in a URL path: 1–64 letters, digits, `-` or `_` (every helpdesk's
    /// ids are numbers or such tokens), so no ticket id can change the request's path.
    public static func isValidTicketID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
        }
    }
}

/// The REST request that writes a ``HelpdeskComment``, exactly as each helpdesk documents it.
public enum HelpdeskWriteRequest {
    /// The request writing `comment` through `account` of `helpdesk`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a ticket id that cannot stand in a path.
    public static func make(_ comment: HelpdeskComment, helpdesk: HelpdeskWebhookVerifier.Helpdesk,
                            account: HelpdeskAccounts.Account, timeout: TimeInterval) throws -> URLRequest {
        guard HelpdeskComment.isValidTicketID(comment.ticketID) else {
            throw SupportError.invalidRequest("ticket id \"\(comment.ticketID.prefix(64))\" is not a helpdesk id")
        }
        let isPublic = comment.visibility == .publicReply
        let path: String
        let method: String
        let body: [String: Any]
        let authorization: String
        switch helpdesk {
        case .zendesk:
            // Update Ticket, with a comment (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket;
            // comments: https://developer.zendesk.com/documentation/ticketing/managing-tickets/adding-ticket-comments/).
            method = "PUT"
            path = "/api/v2/tickets/\(comment.ticketID).json"
            body = ["ticket": ["comment": ["body": comment.body, "public": isPublic]]]
            authorization = basic("\(account.user)/token:\(account.secret)")
        case .freshdesk:
            // Reply to a ticket / Create a note (https://developers.freshdesk.com/api/#reply_ticket,
            // https://developers.freshdesk.com/api/#add_note_to_a_ticket); bodies are HTML.
            method = "POST"
            path = "/api/v2/tickets/\(comment.ticketID)/\(isPublic ? "reply" : "notes")"
            body = isPublic ? ["body": html(comment.body)] : ["body": html(comment.body), "private": true]
            authorization = basic("\(account.secret):X")
        case .intercom:
            // Reply to a conversation as an admin, a comment or a note
            // (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation).
            method = "POST"
            path = "/conversations/\(comment.ticketID)/reply"
            body = ["message_type": isPublic ? "comment" : "note", "type": "admin", "admin_id": account.user,
                    "body": html(comment.body)]
            authorization = "Bearer \(account.secret)"
        }
        guard let url = URL(string: account.baseURL.absoluteString + path) else {
            throw SupportError.invalidRequest("cannot form a URL from \(account.baseURL.host ?? "the base URL") and \(path)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("loopdesk", forHTTPHeaderField: "User-Agent")
        if helpdesk == .intercom { request.setValue("2.11", forHTTPHeaderField: "Intercom-Version") }
        return request
    }

    static func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }

    /// Plain text as HTML: escaped, one paragraph per blank-line-separated block, line breaks kept.
    static func html(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return escaped.components(separatedBy: "\n\n").map { "<p>" + $0.replacingOccurrences(of: "\n", with: "<br>") + "</p>" }
            .joined()
    }
}

import Foundation
import Primitives

/// Reads a helpdesk's webhook body into the outcomes it reports, so that a ticket solved, reopened
/// or rated in Zendesk, Freshdesk or Intercom teaches the answer engine without any glue code.
///
/// The sender is told from the body's shape (first match wins); a JSON array is read as a batch of
/// bodies, each of any shape.
///
/// | sender | recognised by | body → outcome |
/// | --- | --- | --- |
/// | Zendesk event webhook | `"type": "zen:event-type:…"` | `ticket.status_changed`: `event.current` solved/closed → `resolved` (but closed after solved → none: Zendesk closes solved tickets on its own); `event.previous` solved/closed and `current` any other → `reopened`. Other event types → none. Ticket id: `detail.id`. |
/// | Zendesk trigger or automation | `"ticket": {…}` | `satisfaction.score` (or `ticket.satisfaction_rating.score`) `good`/`good_with_comment` → `csat` 5, `bad`/`bad_with_comment` → `csat` 1, `offered`/`unoffered` → none; without a score, `ticket.status` as for events, with `ticket.previous_status` if the trigger sends it; a solve may carry the agent's reply as `ticket.latest_public_comment` (the `{{ticket.latest_public_comment}}` placeholder) and the article used as `ticket.article_id` or `article_id`. Ticket id: `ticket.id`. |
/// | Freshdesk automation webhook | `"freshdesk_webhook": {…}` | `ticket_satisfaction_rating` → `csat` (scale below); without a rating, `ticket_status` Resolved/Closed (or 4/5) → `resolved`, and with `ticket_previous_status` Resolved/Closed and another status → `reopened`; a solve may carry the agent's reply as `ticket_latest_public_comment` and the article used as `article_id`. Ticket id: `ticket_id`. |
/// | Intercom webhook | `"type": "notification_event"` | `conversation.admin.closed` → `resolved` (with the last admin comment or close message among `data.item.conversation_parts` as the agent's reply); `conversation.admin.opened`, and `conversation.user.replied` on a conversation that was closed before (`statistics.last_close_at`), → `reopened`; any topic with `rating` in its name → `csat` from `conversation_rating.rating` (1–5). Other topics → none. Conversation id: `data.item.id`. |
/// | generic | `"ticket_id"` or `"conversation_id"`, and `"event"` | `solved`/`resolved` → `resolved`, `reopened`, `rated`/`csat` → `csat` (`csat` 1–5 required), `escalated`, `corrected` (`agent_reply` or `article_id` required); `solved` may carry `agent_reply` and `article_id` too. |
///
/// Satisfaction scales: Zendesk good/bad → 5/1. Freshdesk's survey values 103, 102, 101, 100, -101,
/// -102, -103 → 5, 4, 4, 3, 2, 2, 1 (so its 3-point survey gives 5/3/1 and its 5-point one 5…1), its
/// labels Awesome / Just Okay / Not Good → 5/3/1 (and Extremely happy … Extremely unhappy likewise),
/// plain 1–5 as they are. Intercom's 1–5 as it is.
///
/// Event ids, for the service's duplicate check, are `"<sender>:<id>"` with the sender's own event id
/// (Zendesk `id`, Intercom `id`, `event_id` in Freshdesk, trigger and generic bodies) or, where the
/// body has none, a stable hash (FNV-1a, 64 bits, hex) of the ticket, the outcome's cause (status or
/// score) and the body's timestamp. An Intercom reopen is keyed by the close it undoes
/// (conversation + `last_close_at`), so several customer replies after one close reopen it once.
/// Parsing the same body twice always gives the same ids.
///
/// A solve after an escalation credits the suggested article only when it carries evidence that
/// the agent used it — the article reference or the agent's reply named above (``SolveAttribution``);
/// a bare status change is the agent's resolution, not the suggestion's.
public enum HelpdeskEvents {
    /// The outcomes a webhook body reports.
    /// - Parameter body: the request body, JSON.
    /// - Returns: the outcomes, keyed by the helpdesk's ticket or conversation id (`conversationID`);
    ///   empty when the event carries no outcome (a status change to `open` that is no reopen, an
    ///   unrelated topic), which the caller acknowledges like any other delivery.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a body that is not JSON, whose shape matches no
    ///   sender, or that lacks a field its outcome needs or has a value out of range, saying which.
    public static func parse(_ body: Data) throws -> [OutcomeRequest] {
        let document = try ImportJSON.parse(body, what: "webhook body")
        guard let batch = document.array else { return try outcomes(of: document) }
        var all: [OutcomeRequest] = []
        for (index, event) in batch.enumerated() {
            do {
                all += try outcomes(of: event)
            } catch let SupportError.invalidRequest(why) {
                throw SupportError.invalidRequest("webhook body, event \(index + 1): \(why)")
            }
        }
        return all
    }

    private static func outcomes(of event: ImportJSON) throws -> [OutcomeRequest] {
        guard event.isObject else {
            throw SupportError.invalidRequest("webhook body: expected a JSON object (or an array of them), found \(event.kindName)")
        }
        if event["freshdesk_webhook"] != nil { return sender(try freshdesk(event), "freshdesk") }
        if event["type"]?.text == "notification_event" { return sender(try intercom(event), "intercom") }
        if let type = event["type"]?.text, type.hasPrefix("zen:event-type:") { return sender(try zendeskEvent(event, type: type), "zendesk") }
        if event["ticket"]?.isObject == true { return sender(try zendeskTrigger(event), "zendesk") }
        if event["event"] != nil, event["ticket_id"] != nil || event["conversation_id"] != nil { return sender(try generic(event), "generic") }
        throw SupportError.invalidRequest(
            "webhook body: unrecognised shape (top-level keys: \(event.keys.joined(separator: ", "))); expected a Zendesk event "
                + "(\"type\": \"zen:event-type:…\"), a Zendesk trigger body ({\"ticket\": {…}}), a Freshdesk webhook "
                + "({\"freshdesk_webhook\": {…}}), an Intercom notification (\"type\": \"notification_event\") or "
                + "{\"ticket_id\" or \"conversation_id\", \"event\"}")
    }

    // MARK: Zendesk

    private static let zendeskDone: Set<String> = ["solved", "closed"]

    private static func zendeskEvent(_ event: ImportJSON, type: String) throws -> [OutcomeRequest] {
        guard type == "zen:event-type:ticket.status_changed" else { return [] }
        let shape = "Zendesk \(type.dropFirst("zen:event-type:".count)) event"
        let ticket = try required(event, ["detail", "id"], in: shape)
        let current = try required(event, ["event", "current"], in: shape).lowercased()
        let previous = event[path: "event", "previous"]?.nonEmptyText?.lowercased()
        guard let outcome = statusOutcome(current: current, previous: previous, done: zendeskDone) else { return [] }
        let eventID = eventID("zendesk", given: event["id"], cause: [ticket, current, event["time"]?.text ?? ""])
        return [OutcomeRequest(conversationID: ticket, outcome: outcome, eventID: eventID)]
    }

    private static func zendeskTrigger(_ event: ImportJSON) throws -> [OutcomeRequest] {
        let shape = "Zendesk trigger body"
        let ticket = try required(event, ["ticket", "id"], in: shape)
        let timestamp = event[path: "ticket", "updated_at"]?.text ?? event["time"]?.text ?? ""
        let given = event["event_id"] ?? event["id"]
        let score = (event[path: "satisfaction", "score"] ?? event[path: "ticket", "satisfaction_rating", "score"])?.nonEmptyText?.lowercased()
        if let score, !["offered", "unoffered"].contains(score) {
            let csat: Int
            switch score {
            case "good", "good_with_comment": csat = 5
            case "bad", "bad_with_comment": csat = 1
            default: throw SupportError.invalidRequest("\(shape): satisfaction score \"\(score)\" is neither good nor bad")
            }
            return [OutcomeRequest(conversationID: ticket, outcome: .csat, csat: csat,
                                   eventID: eventID("zendesk", given: given, cause: [ticket, "csat:\(score)", timestamp]))]
        }
        let current = try required(event, ["ticket", "status"], in: shape).lowercased()
        let previous = event[path: "ticket", "previous_status"]?.nonEmptyText?.lowercased()
        guard let outcome = statusOutcome(current: current, previous: previous, done: zendeskDone) else { return [] }
        // What the agent used, when the trigger's JSON body carries it: the placeholder
        // {{ticket.latest_public_comment}} as "ticket.latest_public_comment", and an article
        // reference (a custom field, a macro's article) as "ticket.article_id" or "article_id".
        return [OutcomeRequest(conversationID: ticket, outcome: outcome,
                               agentReply: outcome == .resolved ? event[path: "ticket", "latest_public_comment"]?.nonEmptyText : nil,
                               articleID: outcome == .resolved ? (event[path: "ticket", "article_id"] ?? event["article_id"])?.nonEmptyText : nil,
                               eventID: eventID("zendesk", given: given, cause: [ticket, current, timestamp]))]
    }

    // MARK: Freshdesk

    /// Freshdesk's status names by their API numbers (2 open, 3 pending, 4 resolved, 5 closed).
    private static let freshdeskStatusNames = ["2": "open", "3": "pending", "4": "resolved", "5": "closed"]

    private static func freshdesk(_ event: ImportJSON) throws -> [OutcomeRequest] {
        let shape = "Freshdesk webhook"
        guard let hook = event["freshdesk_webhook"], hook.isObject else {
            throw SupportError.invalidRequest("\(shape): \"freshdesk_webhook\" must be an object")
        }
        let ticket = try required(hook, ["ticket_id"], in: shape)
        // A new ticket (its description, no status change) is a question, not an outcome: HelpdeskQuestions.
        if hook["ticket_description"] != nil, hook["ticket_status"] == nil, hook["ticket_satisfaction_rating"] == nil { return [] }
        let timestamp = hook["ticket_updated_at"]?.text ?? ""
        if let rating = hook["ticket_satisfaction_rating"], rating.nonEmptyText != nil {
            let csat = try freshdeskCSAT(rating, in: shape)
            return [OutcomeRequest(conversationID: ticket, outcome: .csat, csat: csat,
                                   eventID: eventID("freshdesk", given: hook["event_id"], cause: [ticket, "csat:\(csat)", timestamp]))]
        }
        func status(_ text: String) -> String { freshdeskStatusNames[text] ?? text.lowercased() }
        let current = status(try required(hook, ["ticket_status"], in: shape))
        let previous = hook["ticket_previous_status"]?.nonEmptyText.map(status)
        guard let outcome = statusOutcome(current: current, previous: previous, done: ["resolved", "closed"]) else { return [] }
        // What the agent used, when the automation's body carries it: the placeholder
        // {{ticket.latest_public_comment}} as "ticket_latest_public_comment" (HTML is read as text),
        // and an article reference as "article_id".
        let reply = outcome == .resolved ? hook["ticket_latest_public_comment"]?.nonEmptyText.map(HTMLText.plain) : nil
        return [OutcomeRequest(conversationID: ticket, outcome: outcome, agentReply: reply?.isEmpty == false ? reply : nil,
                               articleID: outcome == .resolved ? hook["article_id"]?.nonEmptyText : nil,
                               eventID: eventID("freshdesk", given: hook["event_id"], cause: [ticket, current, timestamp]))]
    }

    private static let freshdeskScale: [Int64: Int] = [103: 5, 102: 4, 101: 4, 100: 3, -101: 2, -102: 2, -103: 1]
    private static let freshdeskLabels: [String: Int] = [
        "awesome": 5, "extremely happy": 5, "very happy": 4, "happy": 4, "just okay": 3, "neutral": 3,
        "unhappy": 2, "very unhappy": 2, "not good": 1, "extremely unhappy": 1,
    ]

    private static func freshdeskCSAT(_ rating: ImportJSON, in shape: String) throws -> Int {
        if let number = rating.integer {
            if (1...5).contains(number) { return Int(number) }
            if let mapped = freshdeskScale[number] { return mapped }
        } else if let label = rating.nonEmptyText?.lowercased(), let mapped = freshdeskLabels[label] {
            return mapped
        }
        throw SupportError.invalidRequest(
            "\(shape): csat out of range: ticket_satisfaction_rating \(rating.text.map { "\"\($0)\"" } ?? rating.kindName) is neither 1–5, "
                + "nor one of Freshdesk's 103, 102, 101, 100, -101, -102, -103, nor a survey label such as \"Awesome\"")
    }

    // MARK: Intercom

    private static func intercom(_ event: ImportJSON) throws -> [OutcomeRequest] {
        let shape = "Intercom notification"
        let topic = try required(event, ["topic"], in: shape)
        let isRating = topic.contains("rating")
        let isReopen = topic == "conversation.admin.opened" || topic == "conversation.user.replied"
        guard topic == "conversation.admin.closed" || isRating || isReopen else { return [] }
        let item = ["data", "item"]
        let conversation = try required(event, item + ["id"], in: shape)
        let timestamp = event["created_at"]?.text ?? ""

        if isRating {
            guard let rating = event.at(item + ["conversation_rating", "rating"]), rating != .null else {
                throw SupportError.invalidRequest("\(shape) \(topic): \"data.item.conversation_rating.rating\" is missing")
            }
            guard let score = rating.integer, (1...5).contains(score) else {
                throw SupportError.invalidRequest(
                    "\(shape) \(topic): csat out of range: conversation_rating.rating \(rating.text ?? rating.kindName) is not 1–5")
            }
            return [OutcomeRequest(conversationID: conversation, outcome: .csat, csat: Int(score),
                                   eventID: eventID("intercom", given: event["id"], cause: [conversation, "csat:\(score)", timestamp]))]
        }
        if isReopen {
            let lastClose = event.at(item + ["statistics", "last_close_at"])?.integer ?? 0
            if topic == "conversation.user.replied" && lastClose <= 0 { return [] }
            let eventID = lastClose > 0
                ? eventID("intercom", given: nil, cause: [conversation, "reopened", String(lastClose)])
                : eventID("intercom", given: event["id"], cause: [conversation, "reopened", timestamp])
            return [OutcomeRequest(conversationID: conversation, outcome: .reopened, eventID: eventID)]
        }
        return [OutcomeRequest(conversationID: conversation, outcome: .resolved, agentReply: intercomAdminReply(event.at(item)),
                               eventID: eventID("intercom", given: event["id"], cause: [conversation, "closed", timestamp]))]
    }

    /// The last public text an admin wrote in the conversation parts a close notification
    /// carries (`conversation_parts.conversation_parts[]`, `author.type` admin, `part_type`
    /// comment or close, a non-empty `body`; notes are private and skipped), as plain text.
    private static func intercomAdminReply(_ conversation: ImportJSON?) -> String? {
        guard let parts = conversation?[path: "conversation_parts", "conversation_parts"]?.array else { return nil }
        for part in parts.reversed() where part[path: "author", "type"]?.text == "admin" {
            guard let kind = part["part_type"]?.text, kind == "comment" || kind == "close" else { continue }
            guard let html = part["body"]?.nonEmptyText else { continue }
            let text = HTMLText.plain(html)
            if !text.isEmpty { return text }
        }
        return nil
    }

    // MARK: Generic

    private static func generic(_ event: ImportJSON) throws -> [OutcomeRequest] {
        let shape = "webhook event"
        guard let ticket = (event["ticket_id"] ?? event["conversation_id"])?.nonEmptyText else {
            throw SupportError.invalidRequest("\(shape): \"ticket_id\" (or \"conversation_id\") must be a non-empty string or number")
        }
        let name = try required(event, ["event"], in: shape).lowercased()
        let agentReply = event["agent_reply"]?.nonEmptyText
        let articleID = event["article_id"]?.nonEmptyText
        var csat: Int?
        let outcome: OutcomeKind
        switch name {
        case "solved", "resolved": outcome = .resolved
        case "reopened": outcome = .reopened
        case "escalated": outcome = .escalated
        case "rated", "csat":
            outcome = .csat
            guard let value = event["csat"], value != .null else {
                throw SupportError.invalidRequest("\(shape) \"\(name)\": \"csat\" (1–5) is missing")
            }
            guard let score = value.integer, (1...5).contains(score) else {
                throw SupportError.invalidRequest("\(shape) \"\(name)\": csat out of range: \(value.text ?? value.kindName) is not 1–5")
            }
            csat = Int(score)
        case "corrected":
            outcome = .corrected
            guard agentReply != nil || articleID != nil else {
                throw SupportError.invalidRequest("\(shape) \"corrected\": needs \"agent_reply\" (the agent's answer) or \"article_id\" (the article used)")
            }
        default:
            throw SupportError.invalidRequest(
                "\(shape): unknown event \"\(name)\"; expected solved, resolved, reopened, rated, csat, escalated or corrected")
        }
        let cause = [ticket, name, csat.map(String.init) ?? "", articleID ?? "", agentReply ?? "",
                     (event["timestamp"] ?? event["occurred_at"])?.text ?? ""]
        return [OutcomeRequest(conversationID: ticket, outcome: outcome, csat: csat, agentReply: agentReply,
                               articleID: articleID, eventID: eventID("generic", given: event["event_id"], cause: cause))]
    }

    // MARK: Shared

    /// Who sent the events (their evidence's `source`).
    private static func sender(_ requests: [OutcomeRequest], _ name: String) -> [OutcomeRequest] {
        requests.map { var request = $0; request.source = name; return request }
    }

    /// What a status change means: into a done status → resolved (unless it was done already);
    /// out of a done status → reopened; anything else → no outcome.
    private static func statusOutcome(current: String, previous: String?, done: Set<String>) -> OutcomeKind? {
        let wasDone = previous.map(done.contains) ?? false
        if done.contains(current) { return wasDone ? nil : .resolved }
        return wasDone ? .reopened : nil
    }

    /// The non-empty text at `path`, or an error naming the field and the shape.
    static func required(_ value: ImportJSON, _ path: [String], in shape: String) throws -> String {
        guard let text = value.at(path)?.nonEmptyText else {
            let found = value.at(path).map { $0 == .string("") ? "empty" : "\($0.kindName), not a string or number" } ?? "missing"
            throw SupportError.invalidRequest("\(shape): \"\(path.joined(separator: "."))\" is \(found)")
        }
        return text
    }

    /// `"<sender>:<given id>"`, or `"<sender>:<hash of cause>"` when the body gives no id.
    static func eventID(_ sender: String, given: ImportJSON?, cause: [String]) -> String {
        if let id = given?.nonEmptyText { return "\(sender):\(id)" }
        let hash = FNV1a.hash(([sender] + cause).joined(separator: "\u{1F}"))
        let hex = String(hash, radix: 16)
        return "\(sender):" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

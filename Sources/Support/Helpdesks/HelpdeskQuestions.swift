import Foundation

/// A customer's question as a helpdesk's webhook delivers it: a new ticket or conversation,
/// or the customer's follow-up on one. Loopdesk asks itself with it and writes the result
/// back (``SupportService/answerHelpdeskQuestion(_:)``).
public struct HelpdeskQuestion: Sendable, Equatable {
    /// The helpdesk it came from (and where the answer goes).
    public var helpdesk: HelpdeskWebhookVerifier.Helpdesk
    /// The ticket (or Intercom conversation) id: the conversation it is asked in, so the
    /// ticket's later solve, reopen and rating find the answer, and a follow-up its history.
    public var ticketID: String
    /// What the customer wrote (subject and description for a new ticket), as plain text.
    public var text: String
    /// The ticket's fields as account context (``HelpdeskQuestions``).
    public var context: [String: String]
    /// The helpdesk's own event id (`zendesk:…`): the same delivery again is the same question.
    public var eventID: String
    /// A follow-up in an existing ticket, rather than its first message.
    public var isFollowUp: Bool

    /// A question.
    public init(helpdesk: HelpdeskWebhookVerifier.Helpdesk, ticketID: String, text: String, context: [String: String] = [:],
                eventID: String, isFollowUp: Bool = false) {
        self.helpdesk = helpdesk
        self.ticketID = ticketID
        self.text = text
        self.context = context
        self.eventID = eventID
        self.isFollowUp = isFollowUp
    }
}

/// Reads the questions out of a helpdesk's webhook body, beside the outcomes
/// ``HelpdeskEvents`` reads from the same bodies.
///
/// | helpdesk | question when | text | context |
/// | --- | --- | --- | --- |
/// | Zendesk (event webhook, <https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/>) | `zen:event-type:ticket.created` | `detail.subject` and `detail.description` | `detail.tags` (as `tags`, comma-separated), `detail.priority`, `detail.via.channel` (as `channel`), `detail.organization_id` (as `organization`) |
/// | Zendesk, follow-up | `zen:event-type:ticket.comment_added` whose `event.comment` is public and whose author is not staff (`event.comment.author.is_staff` false) — so Loopdesk's own replies and agents' comments are never asked | `event.comment.body` | as above, from `detail` |
/// | Freshdesk (automation on ticket creation, docs/HELPDESKS.md) | `freshdesk_webhook` with `ticket_description` and no `ticket_status` | `ticket_subject` and `ticket_description` (HTML read as text) | `ticket_tags` (as `tags`), `ticket_priority`, `ticket_source` (as `priority`, `channel`) |
/// | Intercom (<https://developers.intercom.com/docs/references/webhooks/webhook-models>) | `conversation.user.created` | `data.item.source.subject` and `.body` | `data.item.tags.tags[].name` (as `tags`) |
/// | Intercom, follow-up | `conversation.user.replied` | the last part authored by a user, lead or contact | as above |
///
/// Context values are cut to what the core's context tags hold (255 bytes with the key).
/// A question longer than ``AskRequest/maxTextBytes`` keeps its first part: a customer's
/// long e-mail is still answered, not refused.
public enum HelpdeskQuestions {
    /// The questions a webhook body carries (an array of bodies too); none for other events.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a body that is not JSON, or a question
    ///   event that lacks its ticket id.
    public static func parse(_ body: Data) throws -> [HelpdeskQuestion] {
        let document = try ImportJSON.parse(body, what: "webhook body")
        let events = document.array ?? [document]
        return try events.flatMap { event -> [HelpdeskQuestion] in
            guard event.isObject else { return [] }
            if let hook = event["freshdesk_webhook"] { return try freshdesk(hook).map { [$0] } ?? [] }
            if event["type"]?.text == "notification_event" { return try intercom(event).map { [$0] } ?? [] }
            if let type = event["type"]?.text, type.hasPrefix("zen:event-type:") { return try zendesk(event, type: type).map { [$0] } ?? [] }
            return []
        }
    }

    // MARK: Zendesk

    private static func zendesk(_ event: ImportJSON, type: String) throws -> HelpdeskQuestion? {
        let shape = "Zendesk \(type.dropFirst("zen:event-type:".count)) event"
        let text: String
        let followUp: Bool
        switch type {
        case "zen:event-type:ticket.created":
            text = joined(event[path: "detail", "subject"]?.nonEmptyText, event[path: "detail", "description"]?.nonEmptyText)
            followUp = false
        case "zen:event-type:ticket.comment_added":
            guard let comment = event[path: "event", "comment"], comment["is_public"]?.bool != false,
                  comment[path: "author", "is_staff"]?.bool == false else { return nil }
            text = comment["body"]?.nonEmptyText ?? ""
            followUp = true
        default:
            return nil
        }
        let ticket = try HelpdeskEvents.required(event, ["detail", "id"], in: shape)
        guard !text.isEmpty else { return nil }
        var context: [String: String] = [:]
        context["tags"] = event[path: "detail", "tags"]?.array?.compactMap(\.nonEmptyText).sorted().joined(separator: ",")
        context["priority"] = event[path: "detail", "priority"]?.nonEmptyText
        context["channel"] = event[path: "detail", "via", "channel"]?.nonEmptyText
        context["organization"] = event[path: "detail", "organization_id"]?.nonEmptyText
        return HelpdeskQuestion(helpdesk: .zendesk, ticketID: ticket, text: text, context: cleaned(context),
                                eventID: HelpdeskEvents.eventID("zendesk", given: event["id"], cause: [ticket, type, text]),
                                isFollowUp: followUp)
    }

    // MARK: Freshdesk

    private static func freshdesk(_ hook: ImportJSON) throws -> HelpdeskQuestion? {
        guard hook.isObject, let description = hook["ticket_description"], hook["ticket_status"] == nil else { return nil }
        let ticket = try HelpdeskEvents.required(hook, ["ticket_id"], in: "Freshdesk ticket-created webhook")
        let text = joined(hook["ticket_subject"]?.nonEmptyText, description.nonEmptyText.map(HTMLText.plain))
        guard !text.isEmpty else { return nil }
        var context: [String: String] = [:]
        context["tags"] = hook["ticket_tags"]?.nonEmptyText
        context["priority"] = hook["ticket_priority"]?.nonEmptyText
        context["channel"] = hook["ticket_source"]?.nonEmptyText
        return HelpdeskQuestion(helpdesk: .freshdesk, ticketID: ticket, text: text, context: cleaned(context),
                                eventID: HelpdeskEvents.eventID("freshdesk", given: hook["event_id"], cause: [ticket, "created", text]))
    }

    // MARK: Intercom

    private static let intercomCustomers: Set<String> = ["user", "lead", "contact"]

    private static func intercom(_ event: ImportJSON) throws -> HelpdeskQuestion? {
        guard let topic = event["topic"]?.text, topic == "conversation.user.created" || topic == "conversation.user.replied" else { return nil }
        let item = ["data", "item"]
        let shape = "Intercom \(topic) notification"
        let conversation = try HelpdeskEvents.required(event, item + ["id"], in: shape)
        let text: String
        if topic == "conversation.user.created" {
            text = joined(event.at(item + ["source", "subject"])?.nonEmptyText.map(HTMLText.plain),
                          event.at(item + ["source", "body"])?.nonEmptyText.map(HTMLText.plain))
        } else {
            let parts = event.at(item + ["conversation_parts", "conversation_parts"])?.array ?? []
            let last = parts.last { part in
                part[path: "author", "type"]?.text.map(intercomCustomers.contains) == true && part["body"]?.nonEmptyText != nil
            }
            text = last?["body"]?.nonEmptyText.map(HTMLText.plain) ?? ""
        }
        guard !text.isEmpty else { return nil }
        var context: [String: String] = [:]
        let tags = event.at(item + ["tags", "tags"])?.array?.compactMap { $0["name"]?.nonEmptyText } ?? []
        if !tags.isEmpty { context["tags"] = tags.sorted().joined(separator: ",") }
        return HelpdeskQuestion(helpdesk: .intercom, ticketID: conversation, text: text, context: cleaned(context),
                                eventID: HelpdeskEvents.eventID("intercom", given: event["id"], cause: [conversation, topic, text]),
                                isFollowUp: topic == "conversation.user.replied")
    }

    // MARK: Shared

    /// Subject and body as one question: the subject alone when the body repeats it.
    private static func joined(_ subject: String?, _ body: String?) -> String {
        let parts = [subject, body].compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        if parts.count == 2, parts[1].hasPrefix(parts[0]) { return clipped(parts[1]) }
        return clipped(parts.joined(separator: "\n"))
    }

    /// The first ``AskRequest/maxTextBytes`` bytes, cut at a character.
    private static func clipped(_ text: String) -> String {
        guard text.utf8.count > AskRequest.maxTextBytes else { return text }
        var result = ""
        for character in text {
            if result.utf8.count + character.utf8.count > AskRequest.maxTextBytes { break }
            result.append(character)
        }
        return result
    }

    /// Context the core accepts: non-empty values, `key:value` within 255 bytes.
    private static func cleaned(_ context: [String: String]) -> [String: String] {
        context.compactMapValues { value in
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            var result = ""
            for character in trimmed where result.utf8.count + character.utf8.count <= 200 { result.append(character) }
            return result
        }
    }
}

import Foundation

/// Answering where the ticket is: a helpdesk's new ticket (or the customer's follow-up) is
/// asked as a conversation keyed by the ticket id, and the result is written back through
/// the helpdesk's REST API — a public reply, an internal note, or nothing
/// (``HelpdeskReplyPlan``) — by way of the webhook outbox, so the comment survives a
/// restart and is retried with back-off until the helpdesk acknowledges it.
extension SupportService {
    /// What became of one helpdesk question.
    public struct HelpdeskAnswer: Sendable, Equatable {
        /// `queued` (a comment is in the outbox), `off` (the topic is off: nothing is written),
        /// `duplicate` (this event was answered before), or `not_configured` (no write-back
        /// account for the helpdesk: not asked).
        public var status: String
        /// The ticket.
        public var ticketID: String
        /// What is written: `public_reply` or `internal_note`; nil when nothing is.
        public var writeBack: HelpdeskComment.Visibility?
        /// The service's decision, when it asked.
        public var decision: Decision?
        /// The topic's mode, when it asked.
        public var mode: TopicMode?
        /// The outbox row's id (the helpdesk event's id, prefixed), when one is queued.
        public var outboxEventID: String?
    }

    /// The outbox event id of the comment answering `question`: one per helpdesk event, so
    /// a redelivered webhook can never queue a second comment.
    static func outboxEventID(for question: HelpdeskQuestion) -> String {
        "\(question.eventID):reply:\(question.ticketID)"
    }

    /// Asks `question` in its ticket's conversation and queues the comment to write back.
    /// - Throws: the errors of ``ask(_:)``, ``SupportError/invalidRequest(_:)`` for a ticket id
    ///   that cannot be written to, and the store's errors.
    public func answerHelpdeskQuestion(_ question: HelpdeskQuestion) async throws -> HelpdeskAnswer {
        var result = HelpdeskAnswer(status: "not_configured", ticketID: question.ticketID)
        guard configuration.helpdesks.accounts[question.helpdesk] != nil else { return result }
        guard HelpdeskComment.isValidTicketID(question.ticketID) else {
            throw SupportError.invalidRequest("ticket id \"\(question.ticketID.prefix(64))\" is not a \(question.helpdesk.rawValue) id "
                                              + "(1–64 letters, digits, - or _)")
        }
        let eventID = Self.outboxEventID(for: question)
        if try store.webhookDelivery(eventID: eventID) != nil {
            result.status = "duplicate"
            result.outboxEventID = eventID
            return result
        }
        let response = try await ask(AskRequest(text: question.text, conversationID: question.ticketID, context: question.context))
        result.decision = response.decision
        result.mode = response.mode
        guard let comment = HelpdeskReplyPlan.comment(for: response, ticketID: question.ticketID) else {
            result.status = "off"
            return result
        }
        let now = clock.now
        let payload = try JSONEncoder().encode(comment)
        let delivery = WebhookDelivery(eventID: eventID, kind: HelpdeskAccounts.outboxKind(question.helpdesk), gapID: 0,
                                       payload: payload, nextAttemptAt: now, createdAt: now)
        let queued = try store.gapWrite { w in try w.enqueueWebhook(delivery) }
        result.status = queued ? "queued" : "duplicate"
        result.writeBack = comment.visibility
        result.outboxEventID = eventID
        // Not awaited: the webhook is answered at once; the helpdesk's API may be slow.
        let gaps = self.gaps
        Task { await gaps.deliverWebhooks() }
        return result
    }

    /// The helpdesk write-backs still owed, for `/v1/health` and `/metrics`.
    public func helpdeskBacklog() throws -> WebhookBacklog {
        try store.webhookBacklog(kinds: HelpdeskAccounts.outboxKinds, maxAttempts: configuration.gaps.webhookMaxAttempts)
    }
}

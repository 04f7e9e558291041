import Foundation
import HTTPTypes
import Hummingbird
import Support

/// `POST /v1/events`: a helpdesk's webhook delivery (Zendesk, Freshdesk, Intercom, generic;
/// ``HelpdeskEvents``), turned into outcomes and recorded one by one.
///
/// `POST /v1/events/zendesk`, `/v1/events/freshdesk` and `/v1/events/intercom` take the same
/// bodies without the bearer token, from the helpdesk itself: each delivery must carry its
/// helpdesk's signature under the configured secret (``HelpdeskWebhookVerifier``), or it is
/// refused with 401 — the bearer token stands in for the signature only when the service is
/// started with `--helpdesk-routes-accept-token`.
///
/// An outcome that can never apply (a ticket this service did not answer) is acknowledged
/// as `ignored` rather than refused, so the helpdesk does not retry it forever.
///
/// A new ticket or a customer's follow-up in the body (``HelpdeskQuestions``) is asked and
/// answered where it arrived, when the helpdesk has a write-back account (`--zendesk`, …):
/// ``SupportService/answerHelpdeskQuestion(_:)`` queues a public reply or an internal note.
/// On a helpdesk's own route only that helpdesk's questions are taken.
struct EventRoutes: RouteGroup {
    /// One outcome of a webhook delivery and what became of it.
    struct EventResult: Encodable {
        var conversationID: String?
        var outcome: String
        var eventID: String?
        /// `recorded`, `duplicate` (its `event_id` was seen before), or `ignored`
        /// (it names no answer this service gave; see `error`).
        var status: String
        var impressionID: String?
        var delivered: Bool?
        var error: ErrorBody.Detail?

        enum CodingKeys: String, CodingKey {
            case outcome, status, delivered, error
            case conversationID = "conversation_id", eventID = "event_id", impressionID = "impression_id"
        }
    }

    /// One question of a webhook delivery and what became of it.
    struct QuestionResult: Encodable {
        var ticketID: String
        /// `queued`, `off`, `duplicate` or `not_configured` (``SupportService/HelpdeskAnswer``).
        var status: String
        /// `public_reply` or `internal_note`, when a comment is queued.
        var writeBack: String?
        var decision: String?
        var mode: String?
        var eventID: String?

        enum CodingKeys: String, CodingKey {
            case status, decision, mode
            case ticketID = "ticket_id", writeBack = "write_back", eventID = "event_id"
        }
    }

    /// The body of the answer.
    struct EventsReply: Encodable {
        /// How many outcomes the body carried (0 for an event that reports none, such as a ticket opened).
        var received: Int
        var outcomes: [EventResult]
        /// The new tickets and follow-ups it carried, asked and answered in the helpdesk.
        var questions: [QuestionResult]
    }

    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxEventBodyBytes``.
    let maxBodyBytes: Int
    /// ``LoopdeskHTTPConfiguration/helpdeskSecrets``.
    var helpdeskSecrets: [HelpdeskWebhookVerifier.Helpdesk: String] = [:]
    /// The service's bearer token, accepted on a helpdesk route only with ``acceptToken``.
    var token: String?
    /// ``LoopdeskHTTPConfiguration/helpdeskRoutesAcceptToken``.
    var acceptToken = false
    /// The wall clock signature timestamps are checked against (the helpdesk's clock is real
    /// even when the service's is shifted for a demo).
    var now: @Sendable () -> Date = { Date() }

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/events") { request, _ -> Response in
            try ContentType.require(request, ContentType.json, what: "events")
            let body = try await JSONBody.collect(request, limit: maxBodyBytes, what: "events")
            return try await deliver(body, from: nil)
        }
        for helpdesk in HelpdeskWebhookVerifier.Helpdesk.allCases {
            router.post("/v1/events/\(helpdesk.rawValue)") { request, _ -> Response in
                try ContentType.require(request, ContentType.json, what: "\(helpdesk.rawValue) events")
                let body = try await JSONBody.collect(request, limit: maxBodyBytes, what: "\(helpdesk.rawValue) events")
                try authenticate(request, body: body, from: helpdesk)
                return try await deliver(body, from: helpdesk)
            }
        }
    }

    /// Records every outcome of one delivery, answers its questions (those of `helpdesk` on its
    /// own route; any on `/v1/events`), and says what became of each.
    private func deliver(_ body: Data, from helpdesk: HelpdeskWebhookVerifier.Helpdesk?) async throws -> Response {
        let outcomes = try Self.outcomes(in: body)
        let questions = try Self.questions(in: body).filter { helpdesk == nil || $0.helpdesk == helpdesk }
        var results: [EventResult] = []
        for outcome in outcomes {
            results.append(try await record(outcome))
        }
        var answered: [QuestionResult] = []
        for question in questions {
            let answer = try await service.answerHelpdeskQuestion(question)
            answered.append(QuestionResult(ticketID: answer.ticketID, status: answer.status, writeBack: answer.writeBack?.rawValue,
                                           decision: answer.decision?.rawValue, mode: answer.mode?.rawValue,
                                           eventID: answer.outboxEventID))
        }
        return JSONBody.response(EventsReply(received: outcomes.count, outcomes: results, questions: answered))
    }

    /// The questions a webhook body carries.
    /// - Throws: ``APIError/malformedJSON(_:)`` for a question event without its ticket id.
    static func questions(in body: Data) throws -> [HelpdeskQuestion] {
        do {
            return try HelpdeskQuestions.parse(body)
        } catch let SupportError.invalidRequest(why) {
            throw APIError.malformedJSON(why)
        }
    }

    /// Lets a helpdesk delivery through when it carries the helpdesk's signature (or, when
    /// configured so, the bearer token).
    /// - Throws: ``APIError/unauthorized(_:)`` with the verifier's reason.
    func authenticate(_ request: Request, body: Data, from helpdesk: HelpdeskWebhookVerifier.Helpdesk) throws {
        if acceptToken, let token, BearerAuthMiddleware<LoopdeskRequestContext>.carries(request, token: token) { return }
        do throws(HelpdeskWebhookVerifier.Refusal) {
            try HelpdeskWebhookVerifier.verify(helpdesk, header: { name in
                HTTPField.Name(name).flatMap { request.headers[$0] }
            }, body: body, secret: helpdeskSecrets[helpdesk], now: now())
        } catch {
            throw APIError.unauthorized(error.description)
        }
    }

    /// The outcomes a webhook body reports.
    /// - Throws: ``APIError/malformedJSON(_:)`` for an empty body or one no helpdesk sends.
    static func outcomes(in body: Data) throws -> [OutcomeRequest] {
        guard body.contains(where: { !JSONBody.isWhitespace($0) }) else {
            throw APIError.malformedJSON("the events body is empty; send the helpdesk's webhook JSON")
        }
        do {
            return try HelpdeskEvents.parse(body)
        } catch let SupportError.invalidRequest(why) {
            throw APIError.malformedJSON(why)
        }
    }

    /// Records one outcome of the delivery.
    /// - Throws: the service's errors of status 500 and above (the delivery is then worth retrying).
    func record(_ outcome: OutcomeRequest) async throws -> EventResult {
        var result = EventResult(conversationID: outcome.conversationID ?? outcome.impressionID, outcome: outcome.outcome.rawValue,
                                 eventID: outcome.eventID, status: "recorded")
        do {
            let recorded = try await service.recordOutcome(outcome)
            result.status = recorded.status
            result.impressionID = recorded.impressionID
            result.delivered = recorded.delivered
        } catch let error as SupportError where error.httpStatus < 500 {
            // A ticket this service never answered, or an outcome that does not apply: acknowledged,
            // so the helpdesk does not retry a delivery that can never succeed.
            result.status = "ignored"
            result.error = ErrorBody.Detail(code: error.code, message: error.description)
        }
        return result
    }
}

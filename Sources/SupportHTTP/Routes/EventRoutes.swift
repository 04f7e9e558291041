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

    /// The body of the answer.
    struct EventsReply: Encodable {
        /// How many outcomes the body carried (0 for an event that reports none, such as a ticket opened).
        var received: Int
        var outcomes: [EventResult]
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
            return try await deliver(body)
        }
        for helpdesk in HelpdeskWebhookVerifier.Helpdesk.allCases {
            router.post("/v1/events/\(helpdesk.rawValue)") { request, _ -> Response in
                try ContentType.require(request, ContentType.json, what: "\(helpdesk.rawValue) events")
                let body = try await JSONBody.collect(request, limit: maxBodyBytes, what: "\(helpdesk.rawValue) events")
                try authenticate(request, body: body, from: helpdesk)
                return try await deliver(body)
            }
        }
    }

    /// Records every outcome of one delivery and answers with what became of each.
    private func deliver(_ body: Data) async throws -> Response {
        let outcomes = try Self.outcomes(in: body)
        var results: [EventResult] = []
        for outcome in outcomes {
            results.append(try await record(outcome))
        }
        return JSONBody.response(EventsReply(received: outcomes.count, outcomes: results))
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

import Foundation
import Hummingbird
import Support

/// `POST /v1/outcomes` and `POST /v1/events`: what happened after an answer,
/// from the caller's own code or from a helpdesk's webhook.
extension SupportAPI {
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

    struct EventsReply: Encodable {
        /// How many outcomes the body carried (0 for an event that reports none, such as a ticket opened).
        var received: Int
        var outcomes: [EventResult]
    }

    func registerLearning(on router: Router<Context>) {
        router.post("/v1/outcomes") { request, _ -> Response in
            let body = try await JSONBody.collect(request, limit: configuration.maxOutcomeBodyBytes, what: "outcome")
            let outcome = try JSONBody.decode(OutcomeRequest.self, from: body, what: "outcome")
            return JSONBody.response(try await service.recordOutcome(outcome))
        }

        router.post("/v1/events") { request, _ -> Response in
            let body = try await JSONBody.collect(request, limit: configuration.maxEventBodyBytes, what: "events")
            guard body.contains(where: { !JSONBody.isWhitespace($0) }) else {
                throw APIError.malformedJSON("the events body is empty; send the helpdesk's webhook JSON")
            }
            let outcomes: [OutcomeRequest]
            do {
                outcomes = try HelpdeskEvents.parse(body)
            } catch let SupportError.invalidRequest(why) {
                throw APIError.malformedJSON(why)
            }
            var results: [EventResult] = []
            for outcome in outcomes {
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
                results.append(result)
            }
            return JSONBody.response(EventsReply(received: outcomes.count, outcomes: results))
        }

        router.post("/v1/reindex") { _, _ -> Response in
            let rebuilt = try await service.reindex()
            return JSONBody.response(ReindexJSON(articles: rebuilt.articles, aliases: rebuilt.aliases))
        }
    }
}

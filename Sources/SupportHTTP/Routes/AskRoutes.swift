import Foundation
import Hummingbird
import Support

/// `POST /v1/ask`: a question in, an answer or an escalation out (``SupportService/ask(_:)``).
struct AskRoutes: RouteGroup {
    /// ``AskResponse`` with every key present: `article`, `topic` and `shadow_decision` are `null`
    /// rather than absent when there is no candidate, so clients can rely on the shape.
    struct AskReply: Encodable {
        var response: AskResponse

        enum NullableKeys: String, CodingKey { case article, topic, shadowDecision = "shadow_decision" }

        func encode(to encoder: any Encoder) throws {
            try response.encode(to: encoder)
            var container = encoder.container(keyedBy: NullableKeys.self)
            if response.article == nil { try container.encodeNil(forKey: .article) }
            if response.topic == nil { try container.encodeNil(forKey: .topic) }
            if response.shadowDecision == nil { try container.encodeNil(forKey: .shadowDecision) }
        }
    }

    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxAskBodyBytes``.
    let maxBodyBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/ask") { request, _ -> Response in
            let ask = try await JSONBody.read(AskRequest.self, from: request, limit: maxBodyBytes, what: "ask")
            let reply = try await service.ask(ask)
            return JSONBody.response(AskReply(response: reply))
        }
    }
}

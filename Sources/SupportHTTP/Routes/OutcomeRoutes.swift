import Foundation
import Hummingbird
import Support

/// `POST /v1/outcomes`: what happened after an answer, from the caller's own code
/// (``SupportService/recordOutcome(_:)``); the service learns from it.
struct OutcomeRoutes: RouteGroup {
    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxOutcomeBodyBytes``.
    let maxBodyBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/outcomes") { request, _ -> Response in
            let outcome = try await JSONBody.read(OutcomeRequest.self, from: request, limit: maxBodyBytes, what: "outcome")
            return JSONBody.response(try await service.recordOutcome(outcome))
        }
    }
}

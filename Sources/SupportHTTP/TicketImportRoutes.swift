import Foundation
import Hummingbird
import Support

/// `POST /v1/import/tickets?format=zendesk|freshdesk|intercom|csv`: a helpdesk export file as the
/// body (what `loopdesk import … --server` sends); resolved tickets with their final agent reply
/// seed articles and aliases (``SupportService/importTickets(_:source:progress:)``). Answers a
/// ``TicketImportSummary``. Importing the same file again adds nothing.
struct TicketImportRoutes: Sendable {
    typealias Context = LoopdeskRequestContext

    let service: SupportService
    let configuration: LoopdeskHTTPConfiguration

    func register(on router: Router<Context>) {
        router.post("/v1/import/tickets") { request, _ -> Response in
            let name = request.uri.queryParameters.get("format") ?? ""
            guard let format = HelpdeskExportFormat(rawValue: name) else {
                throw APIError.invalidRequest("query parameter format=\(name) must be one of "
                    + HelpdeskExportFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let body = try await JSONBody.collect(request, limit: configuration.maxArticleBodyBytes, what: "ticket export")
            let tickets = try HelpdeskExports.parse(body, format: format)
            return JSONBody.response(try await service.importTickets(tickets, source: format.rawValue))
        }
    }
}

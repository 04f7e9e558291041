import Foundation
import Hummingbird
import Support

/// `POST /v1/import/tickets?format=zendesk|freshdesk|intercom|csv`: a helpdesk export file as the
/// body (what `loopdesk import … --server` sends); resolved tickets with their final agent reply
/// seed articles and aliases (``SupportService/importTickets(_:source:progress:)``). Answers a
/// ``TicketImportSummary``. Importing the same file again adds nothing.
struct TicketImportRoutes: RouteGroup {
    let service: SupportService
    /// The largest export accepted: ``LoopdeskHTTPConfiguration/maxArticleBodyBytes``, as the
    /// export seeds the knowledge base like an article import.
    let maxBodyBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/import/tickets") { request, _ -> Response in
            let format = try Self.format(of: request)
            let body = try await JSONBody.collect(request, limit: maxBodyBytes, what: "ticket export")
            let tickets = try HelpdeskExports.parse(body, format: format)
            return JSONBody.response(try await service.importTickets(tickets, source: format.rawValue))
        }
    }

    /// The export format the `format` query parameter names.
    /// - Throws: ``APIError/invalidRequest(_:)`` listing the formats when it names none.
    static func format(of request: Request) throws -> HelpdeskExportFormat {
        let name = request.uri.queryParameters.get("format") ?? ""
        guard let format = HelpdeskExportFormat(rawValue: name) else {
            throw APIError.invalidRequest("query parameter format=\(name) must be one of "
                + HelpdeskExportFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return format
    }
}

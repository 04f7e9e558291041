import Foundation
import Hummingbird
import Support

/// `POST /v1/import/tickets?format=zendesk|freshdesk|intercom|csv`: a helpdesk export file as the
/// body (what `loopdesk import … --server` sends), `Content-Type: application/json` (`text/csv`
/// for CSV); resolved tickets with their final agent reply seed articles and aliases
/// (``SupportService/importTickets(_:source:progress:)``). Answers a ``TicketImportSummary``.
/// Importing the same file again adds nothing.
///
/// The body is read as it arrives (``HelpdeskExportReader``): each ticket is parsed as soon as
/// its record is complete and only the tickets' text is kept, so an upload is never held
/// whole, a malformed record is answered (400) before the rest is sent, and the body stops at
/// `maxBodyBytes` (413).
struct TicketImportRoutes: RouteGroup {
    let service: SupportService
    /// ``LoopdeskHTTPConfiguration/maxTicketImportBytes``.
    let maxBodyBytes: Int
    /// ``LoopdeskHTTPConfiguration/maxTicketRecordBytes``.
    let maxRecordBytes: Int

    func register(on router: Router<LoopdeskRequestContext>) {
        router.post("/v1/import/tickets") { request, _ -> Response in
            let format = try Self.format(of: request)
            try ContentType.require(request, format == .csv ? ["text/csv"] : ContentType.json, what: "\(format.rawValue) export")
            let tickets = try await Self.readExport(request, format: format, maxBodyBytes: maxBodyBytes, maxRecordBytes: maxRecordBytes)
            return JSONBody.response(try await service.importTickets(tickets, source: format.rawValue))
        }
    }

    /// The export's tickets, read chunk by chunk as the body arrives.
    /// - Throws: 413 past ``maxBodyBytes`` (or a declared length over it), the reader's errors.
    /// (`POST /v1/baseline` reads its export the same way.)
    static func readExport(_ request: Request, format: HelpdeskExportFormat, maxBodyBytes: Int,
                           maxRecordBytes: Int) async throws -> [ImportedTicket] {
        let what = "\(format.rawValue) export"
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            throw APIError.payloadTooLarge(limit: maxBodyBytes, what: what)
        }
        var reader = HelpdeskExportReader(format: format, maxRecordBytes: maxRecordBytes)
        var tickets: [ImportedTicket] = []
        var received = 0
        for try await buffer in request.body {
            received += buffer.readableBytes
            guard received <= maxBodyBytes else { throw APIError.payloadTooLarge(limit: maxBodyBytes, what: what) }
            tickets += try reader.read(buffer.readableBytesView)
        }
        tickets += try reader.finish()
        return tickets
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

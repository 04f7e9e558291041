import ArgumentParser
import Foundation
import Support

/// `loopdesk import zendesk|freshdesk|intercom|csv FILE`: seeds the knowledge base and the
/// alias memory from a helpdesk's ticket export.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Seed articles and aliases from a Zendesk, Freshdesk or Intercom export, or a CSV of tickets.",
        discussion: """
            Every resolved ticket with a final public agent reply seeds knowledge: each distinct reply
            becomes an article (id ticket-<format>-<ticket id>, titled by the subject or the question)
            and each ticket's question an alias of it, so customers' own words find the answer.
            Each reply is redacted first: e-mail addresses, phone and card numbers, IBANs and long digit
            runs become placeholders, the greeting and sign-off are dropped, and a reply with too few words
            left is skipped (skipped_short_reply; "redacted" counts what was replaced, by kind).
            Unresolved tickets and tickets without a reply are counted and skipped. Importing the same
            file again adds nothing. Formats are described in HelpdeskExports (Sources/Support/Imports);
            CSV needs the header id,subject,question,agent_reply,status[,tags,created_at].
            A zendesk, freshdesk or intercom export may also be a folder as the helpdesk's API gives it:
            the list's pages, and one file per ticket (comments/, conversations/) named by its id
            (docs/HELPDESKS.md).

            With --db FILE --core SOCKET the store and core are used directly (a progress bar on
            standard error); otherwise the file is sent to a running service (--server, $LOOPDESK_URL).
            Prints the summary as JSON.
            """
    )

    @Argument(help: "The export's format.")
    var format: HelpdeskExportFormat

    @Argument(help: "The export file, or (zendesk, freshdesk, intercom) a folder of the API's pages with one file per ticket (docs/HELPDESKS.md).")
    var file: String

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        try service.validate()
    }

    func run() async throws {
        let data: Data
        if HelpdeskExportFolder.isFolder(file) {
            data = try HelpdeskExportFolder.assemble(folder: file, format: format)
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot be read") }
            data = contents
        }
        if service.isDirect {
            let tickets = try HelpdeskExports.parse(data, format: format)
            let support = try await service.openService()
            let bar = StderrProgress("importing \(tickets.count) tickets")
            let summary = try await support.importTickets(tickets, source: format.rawValue) { done, total in bar.update(done, total) }
            let delivered = await support.deliverPending()
            await support.close()
            if !delivered {
                FileHandle.standardError.write(Data("warning: the core did not take every vector yet; they stay queued in \(service.db ?? "the store") and are sent when the service runs\n".utf8))
            }
            try CLIJSON.print(summary)
        } else {
            let client = try service.client()
            let bar = StderrProgress("importing \(file)")
            bar.update(0, 1)
            let summary = try await client.send("POST", "/v1/import/tickets", query: [URLQueryItem(name: "format", value: format.rawValue)],
                                                body: data, contentType: format == .csv ? "text/csv" : "application/json",
                                                as: TicketImportSummary.self)
            bar.update(1, 1)
            try CLIJSON.print(summary)
        }
    }
}

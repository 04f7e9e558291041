import ArgumentParser
import Foundation
import ReportPages
import Support

/// `loopdesk baseline import FILE --format zendesk|freshdesk|intercom|csv`: the helpdesk's figures
/// from before the roll-out, per topic (docs/ROLLOUT.md "Before you start").
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Store the helpdesk's pre-deployment figures for the roll-out report.",
        subcommands: [BaselineImportCommand.self]
    )
}

/// `loopdesk baseline import FILE --format F`.
struct BaselineImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Count a pre-deployment helpdesk export per topic and store it as the baseline.",
        discussion: """
            Per topic: tickets, resolution rate (solved and never reopened), reopen rate (of the solved),
            median first-reply and resolution times and CSAT (the share of satisfied ratings) where the export
            has them. A ticket's topic is the first of its tags that names a topic (an article's category, or
            a topic with a mode set); an untagged ticket takes the topic of the article nearest its text.
            A new import replaces the previous baseline. Where each helpdesk keeps the figures, and the CSV
            columns, are in docs/ROLLOUT.md; docs/samples/baseline.csv is a small example.

            With --db FILE --core SOCKET the store and core are used directly; otherwise the file is sent to
            a running service (--server, $LOOPDESK_URL). Prints the summary as JSON.
            """
    )

    @Argument(help: "The export file.")
    var file: String

    @Option(name: .long, help: "zendesk, freshdesk, intercom or csv.")
    var format: HelpdeskExportFormat

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        try service.validate()
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot be read") }
        let output: Data
        if service.isDirect {
            let tickets = try HelpdeskExports.parse(data, format: format)
            let summary = try await service.withService { support in try await support.importBaseline(tickets, source: format.rawValue) }
            output = try RolloutJSON.encode(summary.jsonValue)
        } else {
            output = try await service.client().sendForData(
                "POST", "/v1/baseline", query: [URLQueryItem(name: "format", value: format.rawValue)], body: data,
                contentType: format == .csv ? "text/csv" : "application/json")
        }
        FileHandle.standardOutput.write(output)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// `loopdesk report rollout [--html OUT]`: the 30/60/90-day roll-out report.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report of the service.",
        subcommands: [RolloutReportCommand.self]
    )
}

/// `loopdesk report rollout`.
struct RolloutReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "The roll-out report: the baseline beside day 30, 60 and 90 after deployment, per topic.",
        discussion: """
            Prints the JSON of GET /v1/reports/rollout, or with --html OUT writes the page /dashboard/rollout
            shows as one file that opens anywhere (no scripts, no external resources).
            """
    )

    @Option(name: .long, help: "Write the page here instead of printing JSON.")
    var html: String?

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        try service.validate()
    }

    func run() async throws {
        let format = html == nil ? "json" : "html"
        let output: Data
        if service.isDirect {
            let report = try await service.withService { support in try support.rolloutReport() }
            output = html == nil ? try RolloutJSON.encode(report.jsonValue) : Data(RolloutPage.document(report).utf8)
        } else {
            output = try await service.client().sendForData("GET", "/v1/reports/rollout",
                                                            query: [URLQueryItem(name: "format", value: format)])
        }
        if let html {
            guard FileManager.default.createFile(atPath: html, contents: output) else { throw CLIError("\(html): cannot be written") }
            FileHandle.standardError.write(Data("wrote \(html)\n".utf8))
        } else {
            FileHandle.standardOutput.write(output)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}

/// The roll-out JSON as the CLI prints it.
enum RolloutJSON {
    static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

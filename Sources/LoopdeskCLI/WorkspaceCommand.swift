import ArgumentParser
import Foundation
import Support
import SupportHTTP

/// `loopdesk workspace create|list|delete`: the deployment's workspaces (docs/WORKSPACES.md),
/// through a running service and its admin token.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Create, list or delete workspaces on a running service (admin token).",
        subcommands: [WorkspaceCreateCommand.self, WorkspaceListCommand.self, WorkspaceDeleteCommand.self, WorkspaceTokenCommand.self],
        defaultSubcommand: WorkspaceListCommand.self
    )
}

/// The options every `workspace` verb takes: the service and its admin token.
struct AdminServerOptions: ParsableArguments {
    @Option(name: .long, help: "The running service's URL (default: $LOOPDESK_URL, else http://127.0.0.1:8080).")
    var server: String?

    @Option(name: .long, help: "The service's admin token, its --token (default: $LOOPDESK_TOKEN).")
    var token: String?

    func client() throws -> ServiceClient { try ServiceClient(server: server, token: token) }
}

/// `loopdesk workspace create NAME`: prints `{"workspace", "token"}`.
struct WorkspaceCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a workspace and print {\"workspace\", \"token\"} as JSON; the token is shown this once.")

    @Argument(help: "The name: 1–40 of a–z 0–9 - _, starting with a letter or a digit.")
    var name: String

    @OptionGroup var target: AdminServerOptions

    func run() async throws {
        let body = try JSONEncoder().encode(["name": name])
        try CLIJSON.print(try await target.client().send("POST", "/v1/workspaces", body: body, as: WorkspaceTokenJSON.self))
    }
}

/// `loopdesk workspace token NAME`: another token for a workspace.
struct WorkspaceTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Mint another token for a workspace and print {\"workspace\", \"token\"} as JSON.")

    @Argument(help: "The workspace.")
    var name: String

    @OptionGroup var target: AdminServerOptions

    func run() async throws {
        let path = "/v1/workspaces/\(try WorkspaceName(name).rawValue)/tokens"
        try CLIJSON.print(try await target.client().send("POST", path, as: WorkspaceTokenJSON.self))
    }
}

/// `loopdesk workspace list`: one line per workspace.
struct WorkspaceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the workspaces (the default).")

    @OptionGroup var target: AdminServerOptions

    @Flag(name: .long, help: "Print the API's JSON instead of a table.")
    var json = false

    func run() async throws {
        let list = try await target.client().send("GET", "/v1/workspaces", as: WorkspaceListJSON.self)
        if json { return try CLIJSON.print(list) }
        let width = max(9, list.workspaces.map(\.workspace.count).max() ?? 0)
        print("workspace".padding(toLength: width, withPad: " ", startingAt: 0) + "  core        created")
        for entry in list.workspaces {
            let created = entry.createdAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
            print(entry.workspace.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + entry.core.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + created)
        }
    }
}

/// `loopdesk workspace delete NAME`: prints what was removed.
struct WorkspaceDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a workspace: its collections, rows and tokens; prints what was removed as JSON.")

    @Argument(help: "The workspace.")
    var name: String

    @OptionGroup var target: AdminServerOptions

    func run() async throws {
        let path = "/v1/workspaces/\(try WorkspaceName(name).rawValue)"
        try CLIJSON.print(try await target.client().send("DELETE", path, as: WorkspaceDeletionJSON.self))
    }
}

import ArgumentParser
import Embedding
import Foundation
import Support

/// Where a CLI verb sends its work: a running service (`--server`), or the store
/// and core directly (`--db`, `--core`).
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: "A running service's URL (default: $LOOPDESK_URL, else http://127.0.0.1:8080); its token comes from $LOOPDESK_TOKEN.")
    var server: String?

    @Option(name: .long, help: "The bearer token for --server (default: $LOOPDESK_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Work on this SQLite store directly instead of through a server.")
    var db: String?

    @Option(name: .long, help: "With --db: the core's socket.")
    var core: String?

    @Option(name: .long, help: "The workspace to work in (default: $LOOPDESK_WORKSPACE, else the default workspace): /v1/w/NAME/… of --server, or NAME's store beside --db.")
    var workspace: String?

    @Option(name: .long, help: "With --db: the MiniLM model directory (default: $LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2 above the current directory; else the hashed fallback).")
    var modelDir: String?

    /// Whether to work on the store directly.
    var isDirect: Bool { db != nil }

    func validate() throws {
        if db != nil, server != nil { throw ValidationError("give --server or --db, not both") }
        if core != nil, db == nil { throw ValidationError("--core goes with --db") }
    }

    func client() throws -> ServiceClient { try ServiceClient(server: server, token: token, workspace: try workspaceName()) }

    /// `--workspace`, else `$LOOPDESK_WORKSPACE`, else the default workspace.
    func workspaceName() throws -> WorkspaceName {
        let text = workspace ?? ProcessInfo.processInfo.environment["LOOPDESK_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try text.map(WorkspaceName.init) ?? .default
        } catch {
            throw CLIError("--workspace: \(error)")
        }
    }

    /// Opens the service of the workspace (``workspaceName()``) over `--db` and `--core`.
    func openService() async throws -> SupportService {
        guard let db else { throw CLIError("--db FILE is needed to work without a server") }
        guard let core else { throw CLIError("--db needs --core SOCKET (the loopdesk-core socket) too") }
        let workspace = try workspaceName()
        let embedder = try Embedder.load(modelDirectory: modelDir)
        if workspace.isDefault {
            return try await SupportService.open(databasePath: db, coreSocket: core, embedder: embedder)
        }
        return try Workspaces.openService(workspace, storage: try SQLiteWorkspaceStorage(defaultPath: db), coreSocket: core,
                                          embedder: embedder)
    }

    /// Runs `body` on the service of ``openService()`` and closes it afterwards, whatever happens.
    func withService<T>(_ body: (SupportService) async throws -> T) async throws -> T {
        let service = try await openService()
        do {
            let value = try await body(service)
            await service.close()
            return value
        } catch {
            await service.close()
            throw error
        }
    }

    /// Opens only the store of `--db` (listing articles needs no core and no embedder).
    func openStore() throws -> any SupportStore {
        guard let db else { throw CLIError("--db FILE is needed to work without a server") }
        guard FileManager.default.fileExists(atPath: db) else { throw CLIError("\(db): no such store") }
        let workspace = try workspaceName()
        if workspace.isDefault { return try SQLiteStore(path: db) }
        let storage = try SQLiteWorkspaceStorage(defaultPath: db)
        guard try storage.catalog.workspace(named: workspace) != nil else { throw SupportError.unknownWorkspace(workspace.rawValue) }
        return try storage.openStore(for: workspace)
    }
}

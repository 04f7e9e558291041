/// Where a deployment keeps its workspaces' text: the catalog, and one store per workspace.
///
/// Each workspace has a ``SupportStore`` of its own — a SQLite file
/// (``SQLiteWorkspaceStorage``), or a PostgreSQL schema — so no query of one workspace can
/// read a row of another: isolation is by construction, not by a `WHERE` clause a new
/// query could forget.
public protocol WorkspaceStorage: Sendable {
    /// The list of workspaces and their token hashes.
    var catalog: any WorkspaceCatalog { get }
    /// Opens (creating and migrating if needed) `workspace`'s store.
    func openStore(for workspace: WorkspaceName) throws -> any SupportStore
    /// Removes `workspace`'s store and everything in it (never the default workspace's).
    func removeStore(for workspace: WorkspaceName) throws
    /// Where `workspace`'s store is, for logs and messages.
    func location(of workspace: WorkspaceName) -> String
}

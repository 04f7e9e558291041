import Foundation

/// A workspace as the catalog lists it.
public struct WorkspaceRecord: Sendable, Equatable {
    /// Its name.
    public var name: WorkspaceName
    /// When it was created (the default workspace: never recorded, the epoch).
    public var createdAt: Date

    public init(name: WorkspaceName, createdAt: Date) {
        self.name = name
        self.createdAt = createdAt
    }
}

/// The list of a deployment's workspaces and the hashes of their tokens.
///
/// One catalog per deployment, shared by every answer service of it (a SQLite file beside
/// the default store, ``SQLiteWorkspaceCatalog``; a schema of its own in PostgreSQL), so a
/// workspace created through one instance is served by the others from their next request.
/// The ``WorkspaceName/default`` workspace is not in it: it always exists.
public protocol WorkspaceCatalog: Sendable {
    /// Every created workspace, by name.
    func workspaces() throws -> [WorkspaceRecord]
    /// The workspace named `name`, or nil.
    func workspace(named name: WorkspaceName) throws -> WorkspaceRecord?
    /// Records a new workspace and the hash of its first token, in one transaction.
    /// - Throws: ``SupportError/workspaceExists(_:)`` when the name is taken.
    func createWorkspace(_ name: WorkspaceName, tokenHash: String, at: Date) throws
    /// Removes a workspace and every token scoped to it.
    /// - Returns: whether it existed.
    func deleteWorkspace(_ name: WorkspaceName) throws -> Bool
    /// Records another token (hashed) for a workspace, or an admin token.
    func addToken(hash: String, scope: TokenScope, at: Date) throws
    /// The scope of the token whose hash is `hash`, or nil when no token has it.
    func scope(ofTokenHash hash: String) throws -> TokenScope?
}

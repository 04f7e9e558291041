import Foundation

/// Workspaces in SQLite: the default workspace's store is the file the service was
/// given (`--db`, or `DIR/loopdesk.sqlite` of `loopdesk up`); beside it, the folder
/// `NAME-workspaces/` (NAME: that file's name without its extension) holds
/// `catalog.sqlite` (``SQLiteWorkspaceCatalog``) and `stores/WORKSPACE.sqlite`, one per workspace.
public final class SQLiteWorkspaceStorage: WorkspaceStorage {
    /// The default workspace's store file.
    public let defaultPath: String
    /// The folder of the catalog and the other workspaces' stores.
    public let folder: URL
    public let catalog: any WorkspaceCatalog

    /// The storage of the deployment whose default store is `defaultPath`; creates the folder
    /// and the catalog when missing.
    /// - Throws: ``SupportError/storeFailure(_:)`` when the folder or the catalog cannot be made.
    public init(defaultPath: String) throws {
        self.defaultPath = defaultPath
        folder = Self.folder(besides: defaultPath)
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("stores"), withIntermediateDirectories: true)
        } catch {
            throw SupportError.storeFailure("cannot create the workspaces folder \(folder.path): \(error.localizedDescription)")
        }
        catalog = try SQLiteWorkspaceCatalog(path: folder.appendingPathComponent("catalog.sqlite").path)
    }

    /// `DIR/NAME-workspaces` for the default store `DIR/NAME.sqlite`.
    public static func folder(besides defaultPath: String) -> URL {
        let file = URL(fileURLWithPath: defaultPath)
        let name = file.deletingPathExtension().lastPathComponent
        return file.deletingLastPathComponent().appendingPathComponent("\(name)-workspaces", isDirectory: true)
    }

    public func location(of workspace: WorkspaceName) -> String {
        workspace.isDefault ? defaultPath : folder.appendingPathComponent("stores/\(workspace.rawValue).sqlite").path
    }

    public func openStore(for workspace: WorkspaceName) throws -> any SupportStore {
        try SQLiteStore(path: location(of: workspace))
    }

    /// Deletes the workspace's file and its WAL and shared-memory files.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for the default workspace;
    ///   ``SupportError/storeFailure(_:)`` when a file exists and cannot be removed.
    public func removeStore(for workspace: WorkspaceName) throws {
        guard !workspace.isDefault else { throw SupportError.invalidRequest("the default workspace cannot be removed") }
        let path = location(of: workspace)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do {
                try FileManager.default.removeItem(atPath: path + suffix)
            } catch {
                throw SupportError.storeFailure("cannot remove \(path + suffix): \(error.localizedDescription)")
            }
        }
    }
}

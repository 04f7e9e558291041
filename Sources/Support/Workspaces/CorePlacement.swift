/// Which `loopdesk-core` holds each workspace's collections (`--core NAME=SOCKET`,
/// `--place WORKSPACE=NAME`).
///
/// A workspace named in ``assignments`` is on that core; every other workspace is on
/// ``defaultCore``, the first core given. The rule is explicit on purpose: a collection
/// lives in its core's files, so moving a workspace is a copy (snapshot and WAL, `restore`
/// on the new core) and a new line here, never a side effect of adding a core
/// (docs/SCALING.md). A core that is down fails only the workspaces placed on it.
public struct CorePlacement: Sendable, Equatable {
    /// The cores by name, each a socket path.
    public let cores: [String: String]
    /// The core of every workspace not in ``assignments``.
    public let defaultCore: String
    /// Workspaces placed on a core other than the default one.
    public let assignments: [WorkspaceName: String]

    /// One core for every workspace.
    public init(socket: String) {
        cores = ["default": socket]
        defaultCore = "default"
        assignments = [:]
    }

    /// Named cores, the default one, and the workspaces placed elsewhere.
    /// - Throws: ``SupportError/invalidRequest(_:)`` when the default or an assignment names no core.
    public init(cores: [String: String], defaultCore: String, assignments: [WorkspaceName: String] = [:]) throws {
        guard cores[defaultCore] != nil else {
            throw SupportError.invalidRequest("the default core \"\(defaultCore)\" is not among the cores \(cores.keys.sorted())")
        }
        for (workspace, core) in assignments where cores[core] == nil {
            throw SupportError.invalidRequest("workspace \(workspace) is placed on core \"\(core)\", which no --core names")
        }
        self.cores = cores
        self.defaultCore = defaultCore
        self.assignments = assignments
    }

    /// The name of the core that holds `workspace`'s collections.
    public func coreName(for workspace: WorkspaceName) -> String { assignments[workspace] ?? defaultCore }

    /// The socket of the core that holds `workspace`'s collections.
    public func socket(for workspace: WorkspaceName) -> String {
        // Both lookups were checked in the initializer.
        cores[coreName(for: workspace)] ?? cores[defaultCore] ?? ""
    }
}

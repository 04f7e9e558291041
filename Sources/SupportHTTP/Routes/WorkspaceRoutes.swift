import Foundation
import Hummingbird
import Support

/// The workspaces of the deployment (docs/WORKSPACES.md), for the admin token only
/// (``BearerAuthMiddleware`` refuses a workspace's token here with 403):
///
/// - `GET /v1/workspaces` — every workspace, the default one first, with its core;
/// - `POST /v1/workspaces` with `{"name": "acme"}` — creates it; 201 `{"workspace", "token"}`,
///   the token shown this once (only its hash is stored);
/// - `POST /v1/workspaces/{name}/tokens` — another token for it (201, same shape), for rotation;
/// - `DELETE /v1/workspaces/{name}` — removes its collections, rows and tokens, and says how much.
struct WorkspaceRoutes: RouteGroup {
    let workspaces: Workspaces

    /// The body of `POST /v1/workspaces`.
    struct CreateBody: Decodable {
        var name: String
    }

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/workspaces") { _, _ -> Response in
            let placement = workspaces.placement
            return JSONBody.response(WorkspaceListJSON(workspaces: try workspaces.list().map { record in
                WorkspaceJSON(workspace: record.name.rawValue, createdAt: record.name.isDefault ? nil : record.createdAt,
                              core: placement.coreName(for: record.name))
            }))
        }
        router.post("/v1/workspaces") { request, _ -> Response in
            let body = try await JSONBody.read(CreateBody.self, from: request, limit: 4096, what: "workspace")
            let name = try WorkspaceName(body.name)
            return JSONBody.response(WorkspaceTokenJSON(workspace: name.rawValue, token: try workspaces.create(name)), status: .created)
        }
        router.post("/v1/workspaces/:name/tokens") { _, context -> Response in
            let name = try WorkspaceName(try context.parameters.require("name"))
            return JSONBody.response(WorkspaceTokenJSON(workspace: name.rawValue, token: try workspaces.mintToken(for: name)),
                                     status: .created)
        }
        router.delete("/v1/workspaces/:name") { _, context -> Response in
            let name = try WorkspaceName(try context.parameters.require("name"))
            return JSONBody.response(WorkspaceDeletionJSON(try await workspaces.delete(name)))
        }
    }
}

/// `GET /v1/workspaces`'s body.
public struct WorkspaceListJSON: Codable, Sendable {
    public var workspaces: [WorkspaceJSON]
}

/// One workspace in `GET /v1/workspaces`.
public struct WorkspaceJSON: Codable, Sendable {
    public var workspace: String
    /// When it was created; `null` for the default workspace, which always existed.
    public var createdAt: Date?
    /// The name of the core holding its collections (`--core NAME=SOCKET`; `default` for one core).
    public var core: String

    enum CodingKeys: String, CodingKey {
        case workspace, core
        case createdAt = "created_at"
    }

    /// Every key present (`created_at` is `null`, not absent, for the default workspace).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(core, forKey: .core)
    }
}

/// The answer of `POST /v1/workspaces` and `POST /v1/workspaces/{name}/tokens`: the
/// `loopdesk workspace create` contract, `{"workspace", "token"}`.
public struct WorkspaceTokenJSON: Codable, Sendable {
    public var workspace: String
    /// The token in clear, shown once; the service keeps only its SHA-256.
    public var token: String
}

/// The answer of `DELETE /v1/workspaces/{name}`: what was removed.
public struct WorkspaceDeletionJSON: Codable, Sendable {
    /// The counts removed with it.
    public struct Removed: Codable, Sendable {
        public var articles: Int, answers: Int, outcomes: Int, aliases: Int, vectors: Int
        public var openGaps: Int
        enum CodingKeys: String, CodingKey {
            case articles, answers, outcomes, aliases, vectors
            case openGaps = "open_gaps"
        }
    }
    public var workspace: String
    public var deleted: Bool
    public var removed: Removed

    init(_ deletion: WorkspaceDeletion) {
        workspace = deletion.workspace.rawValue
        deleted = true
        removed = Removed(articles: deletion.articles, answers: deletion.answers, outcomes: deletion.outcomes,
                          aliases: deletion.aliases, vectors: deletion.vectors, openGaps: deletion.openGaps)
    }
}

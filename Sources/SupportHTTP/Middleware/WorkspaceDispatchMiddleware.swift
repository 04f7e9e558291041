import Primitives
import Hummingbird
import Support

/// Serves `/v1/w/{workspace}/…` with that workspace's own routes: `/v1/w/acme/ask` is
/// `/v1/ask` of workspace `acme`, answered by a router built over acme's service
/// (``WorkspaceRouters``). Every other path goes on to the default workspace's routes.
///
/// The token is checked here, before the workspace is looked up, so a caller without a
/// valid token learns nothing about which workspaces exist (401 before 404), and a
/// workspace's token on another workspace's routes is 403.
struct WorkspaceDispatchMiddleware: RouterMiddleware {
    typealias Context = LoopdeskRequestContext
    let routers: WorkspaceRouters
    let auth: BearerAuthMiddleware<Context>

    /// The prefix of every workspace's routes.
    static let prefix = "/v1/w/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let target = Self.target(of: request.head.path ?? "") else { return try await next(request, context) }
        let name = try WorkspaceName(target.workspace)
        try auth.authorize(request, path: String(target.path.prefix { $0 != "?" }), workspace: name)
        let responder = try routers.responder(for: name)
        var head = request.head
        head.path = target.path
        return try await responder.respond(to: Request(head: head, body: request.body), context: context)
    }

    /// The workspace and the path it is served as (`/v1/…` with the query kept), or nil for a
    /// path outside `/v1/w/`.
    static func target(of fullPath: String) -> (workspace: String, path: String)? {
        guard fullPath.hasPrefix(prefix) else { return nil }
        let rest = fullPath.dropFirst(prefix.count)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        return (String(rest[..<end]), "/v1" + rest[end...])
    }
}

/// The routers of the workspaces other than the default one, each built on its first
/// request over the workspace's service and rebuilt if that service was reopened
/// (a workspace deleted and created again).
final class WorkspaceRouters: Sendable {
    typealias Context = LoopdeskRequestContext
    let workspaces: Workspaces
    private let build: @Sendable (SupportService) -> RouterResponder<Context>
    private let built = Locked<[WorkspaceName: (service: SupportService, responder: RouterResponder<Context>)]>([:])

    init(workspaces: Workspaces, build: @escaping @Sendable (SupportService) -> RouterResponder<Context>) {
        self.workspaces = workspaces
        self.build = build
    }

    /// The responder of `workspace`.
    /// - Throws: ``SupportError/unknownWorkspace(_:)``; the workspace store's errors.
    func responder(for workspace: WorkspaceName) throws -> RouterResponder<Context> {
        let service = try workspaces.service(for: workspace)
        return built.withLock { built in
            if let entry = built[workspace], entry.service === service { return entry.responder }
            let responder = build(service)
            built[workspace] = (service, responder)
            return responder
        }
    }
}

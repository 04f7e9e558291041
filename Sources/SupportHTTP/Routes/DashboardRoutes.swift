import Foundation
import Hummingbird
import Support

/// The dashboard: server-rendered HTML pages with inline SVG charts and inline
/// CSS — no scripts, no CDN, nothing fetched from elsewhere.
///
/// - `/dashboard` — the learning curve, escalation by topic, confidence histograms (``DashboardOverview``).
/// - `/dashboard/gaps` — open knowledge gaps with examples, bug clusters, insights (``DashboardGaps``).
/// - `/dashboard/decisions` — recent decisions with their reasons and outcomes (``DashboardDecisions``).
/// Every page takes `?workspace=NAME` (a picker in the header lists the workspaces) and shows that
/// workspace's figures; links and forms keep it.
///
/// - `/dashboard/learned` — what was learned lately (`?days=`, default 7), from which outcomes, with
///   undo buttons, and the drafts awaiting review with publish buttons (``DashboardLearned``). The
///   buttons post to `/dashboard/learned/undo` and `/dashboard/learned/publish` (field `id`), guarded
///   against cross-site posts by ``DashboardForms``, and redirect back to the page.
///
/// The pages need the service's token like the API: the session cookie the login form
/// sets (``DashboardLoginRoutes``), `Authorization: Bearer <token>`, or `?token=<token>`
/// (``DashboardAuthMiddleware``); links between the pages keep a query token. `/dashboard` is therefore among
/// ``LoopdeskHTTPConfiguration/publicPathPrefixes`` by default: the API's header-only
/// check steps aside and this group's own check applies.
struct DashboardRoutes: RouteGroup {
    /// Whose workspaces the pages show: the default one, or `?workspace=NAME` (the picker).
    let workspaces: Workspaces
    /// The service's token, which this group checks itself.
    let token: String?
    /// The sessions the login form opens (``DashboardLoginRoutes``).
    let sessions: DashboardSessions

    func register(on router: Router<LoopdeskRequestContext>) {
        let group = router.group("/dashboard").add(middleware: DashboardAuthMiddleware(token: token, sessions: sessions))
        group.get { request, context -> Response in
            let (service, workspace) = try resolve(request)
            return try show(DashboardOverview.page(service.reports, token: Self.token(request)), workspace, context: context, service: service)
        }
        group.get("gaps") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            let gaps = try service.openGaps()
            let bugs = try service.bugClusters()
            return show(DashboardGaps.page(gaps: gaps, bugs: bugs, insights: try service.insights.report(gaps: gaps + bugs),
                                           weekly: try service.reports.resolution(by: .week, days: 84), token: Self.token(request)),
                        workspace, context: context, service: service)
        }
        group.get("decisions") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            return try show(DashboardDecisions.page(service, token: Self.token(request)), workspace, context: context, service: service)
        }
        group.get("learned") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            let days = try request.integerQueryParameter("days", default: 7, range: 1...366)
            let csrf = DashboardForms.csrf(request, context: context, token: token)
            var response = show(try DashboardLearned.page(service, days: days, token: Self.token(request), csrf: csrf.value, workspace: workspace),
                                workspace, context: context, service: service)
            if let cookie = csrf.cookie { response.setCookie(cookie) }
            return response
        }
        group.get("rollout") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            return try show(DashboardRollout.page(service, token: Self.token(request)), workspace, context: context, service: service)
        }
        group.post("learned/undo") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            let fields = try await DashboardForms.fields(request, context: context, token: token)
            _ = try await service.undoLearned(id: try Self.required(fields.id))
            return DashboardLoginPage.redirect(to: Self.learnedPage(request, workspace))
        }
        group.post("learned/publish") { request, context -> Response in
            let (service, workspace) = try resolve(request)
            let fields = try await DashboardForms.fields(request, context: context, token: token)
            _ = try await service.publishArticle(id: try Self.required(fields.id))
            return DashboardLoginPage.redirect(to: Self.learnedPage(request, workspace))
        }
    }

    /// The workspace of `?workspace=` (the default one without it) and its service.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a name that breaks the rules,
    ///   ``SupportError/unknownWorkspace(_:)`` for one that does not exist.
    func resolve(_ request: Request) throws -> (SupportService, WorkspaceName) {
        let workspace = try request.uri.queryParameters.get("workspace").flatMap { $0.isEmpty ? nil : $0 }.map(WorkspaceName.init) ?? .default
        return (try workspaces.service(for: workspace), workspace)
    }

    /// The page as a response, with the workspace picker and, in a session, the sign-out form.
    func show(_ page: DashboardPage, _ workspace: WorkspaceName, context: LoopdeskRequestContext, service: SupportService) -> Response {
        var page = page
        page.workspace = workspace
        do {
            page.workspaces = try workspaces.list().map(\.name)
        } catch {
            // The picker is a convenience: a catalog that cannot be read leaves it out, the page still shows.
            workspaces.defaultService.logger.warning("dashboard: the workspace list cannot be read: \(error)")
        }
        page.sessionCSRF = context.dashboardSession?.csrf
        return page.response(generatedAt: service.clock.now)
    }

    /// The form's `id`, or a 400 naming it.
    static func required(_ id: String?) throws -> String {
        guard let id, !id.isEmpty else { throw APIError.invalidRequest("the form lacks the field id") }
        return id
    }

    /// Back to the learned page, with the `?token=` and the workspace the form was posted with.
    static func learnedPage(_ request: Request, _ workspace: WorkspaceName) -> String {
        var page = DashboardPage(section: .learned, title: "", token: token(request))
        page.workspace = workspace
        return page.link(.learned)
    }

    /// The non-empty `?token=` a browser opened the page with, carried into the page's links.
    static func token(_ request: Request) -> String? {
        request.uri.queryParameters.get("token").flatMap { $0.isEmpty ? nil : $0 }
    }
}

import Foundation
import Support

/// `/dashboard/learned`: what the service taught itself lately — aliases and agents' articles,
/// each with the outcome that taught it — with an undo button per item, and the drafts awaiting
/// review (`--agent-articles review`) with a publish button. The buttons are form posts
/// (``DashboardForms``).
enum DashboardLearned {
    /// Items listed.
    static let limit = 200
    /// Drafts listed.
    static let draftLimit = 100

    /// The page over the last `days` days.
    /// - Parameters:
    ///   - csrf: the value the forms carry (``DashboardForms/csrf(_:context:token:)``).
    static func page(_ service: SupportService, days: Int, token: String?, csrf: String?,
                     workspace: WorkspaceName = .default) throws -> DashboardPage {
        var page = DashboardPage(section: .learned, title: "What Loopdesk learned", token: token)
        page.workspace = workspace
        let since = service.clock.now.addingTimeInterval(-Double(days) * 86_400)
        let items = try service.learnedItems(since: since, limit: limit)
        let drafts = try service.store.listArticles(status: .draft, limit: draftLimit, offset: 0)
        let active = items.filter { $0.status == "active" || $0.status == "published" }.count
        page.add(DashboardPage.cards([("learned in \(days) days", String(items.count)), ("still in use", String(active)),
                                      ("taken back", String(items.count - active)), ("drafts to review", String(drafts.count))]))

        page.add("<h2>Drafts awaiting review</h2>\n")
        if drafts.isEmpty {
            page.add(DashboardPage.empty("No drafts: agents' replies are published at once (--agent-articles publish), or all were reviewed."))
        } else {
            page.add(DashboardPage.table(["written (UTC)", "title", "text", ""], drafts.map { draft in
                [DashboardPage.escape(DashboardPage.timestamp(draft.createdAt)), DashboardPage.escape(draft.title),
                 "<span class=\"muted\">\(DashboardPage.escape(String(draft.body.prefix(300))))</span>",
                 button("Publish", action: "/dashboard/learned/publish", id: draft.id, page: page, csrf: csrf)]
            }))
        }

        page.add("<h2>Learned in the last \(days) days, newest first</h2>\n")
        guard !items.isEmpty else {
            page.add(DashboardPage.empty("Nothing learned in this period."))
            return page
        }
        page.add(DashboardPage.table(["learned (UTC)", "what", "article", "taught by", "evidence", "status", ""], items.map { item in
            let what = item.kind == .alias
                ? "alias: “\(DashboardPage.escape(item.question ?? ""))”" : "article written from a reply"
            let undoable = item.status == "active" || (item.kind == .article && item.status != "archived")
            return [DashboardPage.escape(DashboardPage.timestamp(item.createdAt)), what,
                    DashboardPage.escape(item.article.title) + " <span class=\"muted\">(\(DashboardPage.escape(item.article.id)))</span>",
                    "<span class=\"badge outcome\">\(DashboardPage.escape(item.origin.rawValue))</span>",
                    "<span class=\"muted\">\(DashboardPage.escape(evidence(item.evidence)))</span>",
                    DashboardPage.escape(item.status),
                    undoable ? button("Undo", action: "/dashboard/learned/undo", id: item.id, page: page, csrf: csrf) : ""]
        }))
        return page
    }

    /// What the evidence says, in one line.
    static func evidence(_ evidence: LearningEvidence?) -> String {
        guard let evidence else { return "learned before evidence was kept" }
        var parts = ["\(evidence.outcome) from \(evidence.source)"]
        if let impression = evidence.impressionID { parts.append(impression) }
        if let event = evidence.eventID { parts.append("event \(event)") }
        if let attribution = evidence.attribution {
            parts.append("used: \(attribution)" + (evidence.similarity.map { String(format: " %.2f", $0) } ?? ""))
        }
        return parts.joined(separator: " · ")
    }

    /// A one-button form posting `id` (and the CSRF value) to `action`, keeping the page's `?token=`
    /// and its workspace (the post acts on that workspace's items).
    static func button(_ label: String, action: String, id: String, page: DashboardPage, csrf: String?) -> String {
        let target = page.target(action)
        return "<form class=\"inline\" method=\"post\" action=\"\(DashboardPage.escape(target))\">"
            + "<input type=\"hidden\" name=\"id\" value=\"\(DashboardPage.escape(id))\">"
            + (csrf.map { "<input type=\"hidden\" name=\"csrf\" value=\"\(DashboardPage.escape($0))\">" } ?? "")
            + "<button type=\"submit\">\(DashboardPage.escape(label))</button></form>"
    }
}

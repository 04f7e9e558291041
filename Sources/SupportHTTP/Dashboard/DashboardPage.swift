import Charts
import Foundation
import Hummingbird
import Support

/// The frame every dashboard page shares: one self-contained HTML document with
/// inline CSS, a navigation bar and no scripts or external resources, so it
/// renders offline, in a browser without JavaScript and in headless Chromium.
struct DashboardPage {
    /// Which page is shown (highlighted in the navigation).
    enum Section: String, CaseIterable {
        case overview = "/dashboard"
        case gaps = "/dashboard/gaps"
        case decisions = "/dashboard/decisions"
        case learned = "/dashboard/learned"
        case rollout = "/dashboard/rollout"

        var name: String {
            switch self {
            case .overview: "Learning"
            case .gaps: "Gaps & insights"
            case .decisions: "Decisions"
            case .learned: "Learned"
            case .rollout: "Roll-out"
            }
        }
    }

    var section: Section
    var title: String
    /// The `?token=` the page was opened with, carried into its links.
    var token: String?
    /// The CSRF token of the session the page is shown in, for its sign-out form; nil outside a session.
    var sessionCSRF: String?
    /// The workspace whose figures the page shows (`?workspace=`), carried into its links and forms.
    var workspace: WorkspaceName = .default
    /// The deployment's workspaces, for the picker in the header (shown when there are several).
    var workspaces: [WorkspaceName] = []
    var body = ""

    /// Appends HTML.
    mutating func add(_ html: String) { body += html }

    /// `href` for another dashboard page, keeping the token a browser came with and the workspace.
    func link(_ section: Section) -> String { target(section.rawValue) }

    /// `path` with the page's query: the `?token=` a browser came with and a workspace other than the default.
    func target(_ path: String) -> String {
        var query: [String] = []
        if let token, !token.isEmpty { query.append("token=" + (token.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? token)) }
        if !workspace.isDefault { query.append("workspace=" + workspace.rawValue) }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// The header's workspace picker: a plain GET form (no script) back to this page with `?workspace=`.
    var workspacePicker: String {
        guard workspaces.count > 1 else { return "" }
        let options = workspaces.map { name in
            "<option value=\"\(Self.escape(name.rawValue))\"\(name == workspace ? " selected" : "")>\(Self.escape(name.rawValue))</option>"
        }.joined()
        let token = self.token.map { "<input type=\"hidden\" name=\"token\" value=\"\(Self.escape($0))\">" } ?? ""
        return "<form class=\"picker\" method=\"get\" action=\"\(section.rawValue)\"><label>workspace "
            + "<select name=\"workspace\">\(options)</select></label>\(token)<button type=\"submit\">Show</button></form>"
    }

    /// The opening of every dashboard document up to `</head>`: doctype,
    /// charset, viewport, the escaped `title` and the shared stylesheet.
    static func documentHead(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Loopdesk</title>
        <style>\(css)</style>
        </head>

        """
    }

    /// The whole document.
    func render(generatedAt: Date) -> String {
        let nav = Section.allCases.map { s in
            "<a href=\"\(Self.escape(link(s)))\"\(s == section ? " class=\"current\"" : "")>\(s.name)</a>"
        }.joined(separator: "\n")
        return Self.documentHead(title: title) + """
            <body>
            <header><span class="brand">Loopdesk</span>
            <nav>\(nav)</nav>\(workspacePicker)
            <span class="stamp">\(Self.escape(Self.timestamp(generatedAt)))</span>\(signOutForm)</header>
            <main>
            <h1>\(Self.escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// The sign-out button of a session's page: a form that posts the session's CSRF token.
    var signOutForm: String {
        guard let sessionCSRF else { return "" }
        return "<form class=\"signout\" method=\"post\" action=\"\(DashboardLoginPage.logoutPath)\">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"\(Self.escape(sessionCSRF))\"><button type=\"submit\">Sign out</button></form>"
    }

    /// The page as an HTTP response.
    func response(generatedAt: Date) -> Response {
        HTMLBody.response(render(generatedAt: generatedAt))
    }

    // MARK: Pieces

    /// RFC 3986's unreserved characters: what a query value may carry unencoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ text: String) -> String { SVGChart.escape(text) }

    /// `42 %`, or `–` without a value.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.0f %%", $0 * 100) } ?? "–"
    }

    static func number(_ value: Double?, decimals: Int = 2) -> String {
        value.map { String(format: "%.\(decimals)f", $0) } ?? "–"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }

    /// A row of headline numbers.
    static func cards(_ items: [(label: String, value: String)]) -> String {
        "<div class=\"cards\">" + items.map { "<div class=\"card\"><div class=\"value\">\(escape($0.value))</div>"
            + "<div class=\"label\">\(escape($0.label))</div></div>" }.joined() + "</div>\n"
    }

    /// A table; cells are already HTML.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "<table><thead><tr>"
        for (i, h) in header.enumerated() { out += "<th\(numeric.contains(i) ? " class=\"num\"" : "")>\(escape(h))</th>" }
        out += "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() { out += "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(cell)</td>" }
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// A note for a section without data yet.
    static func empty(_ text: String) -> String {
        "<p class=\"empty\">\(escape(text))</p>\n"
    }

    static let css = """
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f6f9}
        header{display:flex;align-items:center;gap:24px;padding:10px 24px;background:#1d2330;color:#fff}
        header .brand{font-weight:700;font-size:16px}
        header nav a{color:#c9d2e3;text-decoration:none;margin-right:16px}
        header nav a.current{color:#fff;border-bottom:2px solid #5aa0ff}
        header form.picker{display:inline;margin-left:16px;color:#c9d2e3;font-size:13px}
        header .stamp{margin-left:auto;color:#8d99ae;font-size:12px}
        main{padding:8px 24px 40px;max-width:1240px}
        h1{font-size:22px;margin:16px 0}
        h2{font-size:17px;margin:28px 0 8px}
        .cards{display:flex;flex-wrap:wrap;gap:12px}
        .card{background:#fff;border-radius:6px;padding:10px 16px;min-width:130px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        .card .value{font-size:22px;font-weight:600}
        .card .label{color:#5b6577;font-size:12px}
        .charts{display:flex;flex-wrap:wrap;gap:12px}
        .charts svg{background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        th,td{padding:6px 8px;border-bottom:1px solid #e6e9ef;text-align:left;vertical-align:top}
        th{background:#eef1f6;font-weight:600;font-size:12px;color:#3b4458}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;font-weight:600}
        .badge.answer{background:#dff3e4;color:#1b6b32}
        .badge.escalate{background:#fde8d7;color:#8a4208}
        .badge.outcome{background:#e7ecf7;color:#2f4a86}
        ul.examples{margin:0;padding-left:18px;color:#3b4458}
        .muted{color:#6b7487;font-size:12px}
        .empty{color:#6b7487;font-style:italic}
        form.signout{margin:0}
        form.inline{margin:0;display:inline}
        """
}

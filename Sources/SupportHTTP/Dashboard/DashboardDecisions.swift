import Charts
import Foundation
import Support

/// `/dashboard/decisions`: the latest questions with what the service decided
/// and why (the policy's reason, the score against the topic's threshold), and
/// what happened next.
enum DashboardDecisions {
    /// Decisions listed.
    static let limit = 100

    static func page(_ service: SupportService, token: String?) throws -> DashboardPage {
        let answers = try service.store.recentAnswers(limit: limit)
        let articles = try service.store.articles(keys: Array(Set(answers.compactMap(\.articleKey))))
        var page = DashboardPage(section: .decisions, title: "Recent decisions", token: token)
        guard !answers.isEmpty else {
            page.add(DashboardPage.empty("No questions have been asked yet."))
            return page
        }

        let answered = answers.filter { $0.decision == .answer }.count
        var outcomes: [String: Int] = [:]
        for a in answers { outcomes[a.outcome?.rawValue ?? "no outcome yet", default: 0] += 1 }
        let order = ["resolved", "escalated", "corrected", "reopened", "no outcome yet"]
        var chart = SVGBarChart(title: "The last \(answers.count) questions: what the service decided, what happened next",
                                categories: ["answered", "escalated"] + order, yLabel: "questions")
        chart.series = [
            SVGBarChart.Series(name: "decision", values: [Double(answered), Double(answers.count - answered)]
                + order.map { _ in nil }, color: "#1f77b4"),
            SVGBarChart.Series(name: "outcome", values: [nil, nil] + order.map { Double(outcomes[$0] ?? 0) }, color: "#9467bd"),
        ]
        chart.width = 700
        chart.height = 260
        page.add("<div class=\"charts\">\(chart.render())</div>\n<h2>Decisions, newest first</h2>\n")

        page.add(DashboardPage.table(["time (UTC)", "question", "decision", "topic", "article", "score", "lower", "target", "reason", "outcome"],
                                     answers.map { a in
            [DashboardPage.escape(DashboardPage.timestamp(a.createdAt)), DashboardPage.escape(a.question),
             "<span class=\"badge \(a.decision.rawValue)\">\(a.decision.rawValue)</span>",
             DashboardPage.escape(a.topic ?? "–"), DashboardPage.escape(a.articleKey.flatMap { articles[$0]?.title } ?? "–"),
             DashboardPage.number(a.score), DashboardPage.number(a.lower), DashboardPage.number(a.threshold),
             "<span class=\"muted\">\(DashboardPage.escape(a.reason))</span>",
             a.outcome.map { "<span class=\"badge outcome\">\($0.rawValue)</span>" } ?? ""]
        }, numeric: [5, 6, 7]))
        return page
    }
}

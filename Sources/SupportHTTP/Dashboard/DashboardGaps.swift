import Foundation
import Support

/// `/dashboard/gaps`: open knowledge gaps with example questions, bug clusters,
/// and the insights (topic spikes, recurring gaps, feature requests).
enum DashboardGaps {
    /// - Parameter weekly: the weekly tallies, for the chart of escalated questions.
    static func page(gaps: [Gap], bugs: [Gap], insights: InsightsReport, weekly: ResolutionReport, token: String?) -> DashboardPage {
        var page = DashboardPage(section: .gaps, title: "What it doesn't know", token: token)
        page.add(DashboardPage.cards([
            ("open knowledge gaps", String(gaps.count)),
            ("open bug clusters", String(bugs.count)),
            ("topic spikes", String(insights.spikes.count)),
            ("feature-request clusters", String(insights.featureRequests.count)),
        ]))
        var escalations = SVGBarChart(title: "Questions handed to a person, by ISO week", categories: weekly.periods.map(\.name),
                                      yLabel: "questions")
        escalations.series = [
            SVGBarChart.Series(name: "escalated", values: weekly.periods.map { Double($0.tally.escalated) }, color: "#ff7f0e"),
            SVGBarChart.Series(name: "asked", values: weekly.periods.map { Double($0.tally.asked) }, color: "#c7c7c7"),
        ]
        escalations.width = 1180
        escalations.height = 260
        page.add("<div class=\"charts\">\(escalations.render())</div>\n")

        page.add("<h2>Knowledge gaps</h2>\n<p class=\"muted\">Escalated and low-confidence questions the knowledge base "
            + "does not cover, clustered; a gap closes when an article answers its questions.</p>\n")
        page.add(clusters(gaps, chartTitle: "Largest open gaps", color: "#ff7f0e",
                          none: "No open knowledge gaps: every recent question was near an article."))
        page.add("<h2>Bug clusters</h2>\n<p class=\"muted\">Questions that describe a defect, routed to engineering.</p>\n")
        page.add(clusters(bugs, chartTitle: "Largest bug clusters", color: "#d62728", none: "No open bug clusters."))

        page.add("<h2>Topic spikes</h2>\n")
        if insights.spikes.isEmpty {
            page.add(DashboardPage.empty("No topic is asked about more than its own baseline today or this week."))
        } else {
            var chart = SVGBarChart(title: "Spikes: now against the baseline", categories: insights.spikes.map { "\($0.topic) (\($0.label))" },
                                    yLabel: "questions")
            chart.width = 1180
            chart.series = [
                SVGBarChart.Series(name: "now", values: insights.spikes.map { Double($0.count) }, color: "#d62728"),
                SVGBarChart.Series(name: "baseline mean", values: insights.spikes.map(\.baselineMean), color: "#7f7f7f"),
                SVGBarChart.Series(name: "threshold", values: insights.spikes.map(\.threshold), color: "#bcbd22"),
            ]
            page.add("<div class=\"charts\">\(chart.render())</div>\n")
            page.add(DashboardPage.table(["topic", "period", "count", "baseline mean", "baseline sd", "threshold"],
                                         insights.spikes.map { s in
                [DashboardPage.escape(s.topic), DashboardPage.escape("\(s.period.rawValue) \(s.label)"), String(s.count),
                 DashboardPage.number(s.baselineMean, decimals: 1), DashboardPage.number(s.baselineSD, decimals: 1),
                 DashboardPage.number(s.threshold, decimals: 1)]
            }, numeric: [2, 3, 4, 5]))
        }

        page.add("<h2>Recurring gaps</h2>\n")
        if insights.recurring.isEmpty {
            page.add(DashboardPage.empty("No open gap has come back across several weeks."))
        } else {
            page.add(DashboardPage.table(["kind", "title", "questions", "weeks", "examples"], insights.recurring.map { r in
                [DashboardPage.escape(r.kind), DashboardPage.escape(r.title), String(r.count),
                 DashboardPage.escape(r.weeks.joined(separator: ", ")), examples(r.questions)]
            }, numeric: [2]))
        }

        page.add("<h2>Feature requests</h2>\n")
        if insights.featureRequests.isEmpty {
            page.add(DashboardPage.empty("No cluster of feature requests in the last four weeks."))
        } else {
            page.add(DashboardPage.table(["about", "requests", "topics", "last seen", "examples"], insights.featureRequests.map { f in
                [DashboardPage.escape(f.title), String(f.count), DashboardPage.escape(f.topics.prefix(3).joined(separator: ", ")),
                 DashboardPage.escape(DashboardPage.timestamp(f.lastSeen)), examples(f.questions)]
            }, numeric: [1]))
        }
        return page
    }

    /// A bar chart of the largest clusters and a table with their example questions.
    static func clusters(_ list: [Gap], chartTitle: String, color: String, none: String) -> String {
        guard !list.isEmpty else { return DashboardPage.empty(none) }
        let top = Array(list.prefix(12))
        var chart = SVGBarChart(title: chartTitle, categories: top.map(\.title), yLabel: "questions",
                                series: [SVGBarChart.Series(name: "", values: top.map { Double($0.count) }, color: color)])
        chart.width = 1180
        chart.height = 280
        var out = "<div class=\"charts\">\(chart.render())</div>\n"
        out += DashboardPage.table(["title", "questions", "confidence", "first seen", "last seen", "last 4 weeks", "examples"],
                                   list.map { gap in
            [DashboardPage.escape(gap.title), String(gap.count), DashboardPage.percent(gap.confidence),
             DashboardPage.escape(DashboardPage.timestamp(gap.firstSeen)), DashboardPage.escape(DashboardPage.timestamp(gap.lastSeen)),
             DashboardPage.escape(gap.trend.map { String($0.count) }.joined(separator: " · ")), examples(gap.questions)]
        }, numeric: [1, 2])
        return out
    }

    static func examples(_ questions: [String]) -> String {
        "<ul class=\"examples\">" + questions.prefix(4).map { "<li>\(DashboardPage.escape($0))</li>" }.joined() + "</ul>"
    }
}

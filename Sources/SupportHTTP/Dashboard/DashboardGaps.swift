import Charts
import Foundation
import Support

/// `/dashboard/gaps`: open knowledge gaps with example questions, bug clusters,
/// and the insights (topic spikes, recurring gaps, feature requests).
enum DashboardGaps {
    /// The page, section by section.
    /// - Parameter weekly: the weekly tallies, for the chart of escalated questions.
    static func page(gaps: [Gap], bugs: [Gap], insights: InsightsReport, weekly: ResolutionReport, token: String?) -> DashboardPage {
        var page = DashboardPage(section: .gaps, title: "What it doesn't know", token: token)
        page.add(headline(gaps: gaps, bugs: bugs, insights: insights))
        page.add(escalationsByWeek(weekly))
        page.add(knowledgeGaps(gaps))
        page.add(bugClusters(bugs))
        page.add(topicSpikes(insights.spikes))
        page.add(recurringGaps(insights.recurring))
        page.add(featureRequests(insights.featureRequests))
        return page
    }

    /// The counts at the top of the page.
    static func headline(gaps: [Gap], bugs: [Gap], insights: InsightsReport) -> String {
        DashboardPage.cards([
            ("open knowledge gaps", String(gaps.count)),
            ("open bug clusters", String(bugs.count)),
            ("topic spikes", String(insights.spikes.count)),
            ("feature-request clusters", String(insights.featureRequests.count)),
        ])
    }

    /// Questions escalated against questions asked, by ISO week.
    static func escalationsByWeek(_ weekly: ResolutionReport) -> String {
        var escalations = SVGBarChart(title: "Questions handed to a person, by ISO week", categories: weekly.periods.map(\.name),
                                      yLabel: "questions")
        escalations.series = [
            SVGBarChart.Series(name: "escalated", values: weekly.periods.map { Double($0.tally.escalated) }, color: "#ff7f0e"),
            SVGBarChart.Series(name: "asked", values: weekly.periods.map { Double($0.tally.asked) }, color: "#c7c7c7"),
        ]
        escalations.width = 1180
        escalations.height = 260
        return "<div class=\"charts\">\(escalations.render())</div>\n"
    }

    /// The open knowledge gaps: what the knowledge base does not cover.
    static func knowledgeGaps(_ gaps: [Gap]) -> String {
        "<h2>Knowledge gaps</h2>\n<p class=\"muted\">Escalated and low-confidence questions the knowledge base "
            + "does not cover, clustered; a gap closes when an article answers its questions.</p>\n"
            + clusters(gaps, chartTitle: "Largest open gaps", color: "#ff7f0e",
                       none: "No open knowledge gaps: every recent question was near an article.")
    }

    /// The open bug clusters: defects customers describe.
    static func bugClusters(_ bugs: [Gap]) -> String {
        "<h2>Bug clusters</h2>\n<p class=\"muted\">Questions that describe a defect, routed to engineering.</p>\n"
            + clusters(bugs, chartTitle: "Largest bug clusters", color: "#d62728", none: "No open bug clusters.")
    }

    /// Topics asked about more than their own baseline, with a chart against the baseline.
    static func topicSpikes(_ spikes: [TopicSpike]) -> String {
        var out = "<h2>Topic spikes</h2>\n"
        guard !spikes.isEmpty else {
            return out + DashboardPage.empty("No topic is asked about more than its own baseline today or this week.")
        }
        var chart = SVGBarChart(title: "Spikes: now against the baseline", categories: spikes.map { "\($0.topic) (\($0.label))" },
                                yLabel: "questions")
        chart.width = 1180
        chart.series = [
            SVGBarChart.Series(name: "now", values: spikes.map { Double($0.count) }, color: "#d62728"),
            SVGBarChart.Series(name: "baseline mean", values: spikes.map(\.baselineMean), color: "#7f7f7f"),
            SVGBarChart.Series(name: "threshold", values: spikes.map(\.threshold), color: "#bcbd22"),
        ]
        out += "<div class=\"charts\">\(chart.render())</div>\n"
        out += DashboardPage.table(["topic", "period", "count", "baseline mean", "baseline sd", "threshold"], spikes.map { s in
            [DashboardPage.escape(s.topic), DashboardPage.escape("\(s.period.rawValue) \(s.label)"), String(s.count),
             DashboardPage.number(s.baselineMean, decimals: 1), DashboardPage.number(s.baselineSD, decimals: 1),
             DashboardPage.number(s.threshold, decimals: 1)]
        }, numeric: [2, 3, 4, 5])
        return out
    }

    /// Open gaps that came back across several weeks.
    static func recurringGaps(_ recurring: [RecurringCluster]) -> String {
        let out = "<h2>Recurring gaps</h2>\n"
        guard !recurring.isEmpty else { return out + DashboardPage.empty("No open gap has come back across several weeks.") }
        return out + DashboardPage.table(["kind", "title", "questions", "weeks", "examples"], recurring.map { r in
            [DashboardPage.escape(r.kind), DashboardPage.escape(r.title), String(r.count),
             DashboardPage.escape(r.weeks.joined(separator: ", ")), examples(r.questions)]
        }, numeric: [2])
    }

    /// Clusters of feature requests of the last four weeks.
    static func featureRequests(_ requests: [FeatureRequestCluster]) -> String {
        let out = "<h2>Feature requests</h2>\n"
        guard !requests.isEmpty else { return out + DashboardPage.empty("No cluster of feature requests in the last four weeks.") }
        return out + DashboardPage.table(["about", "requests", "topics", "last seen", "examples"], requests.map { f in
            [DashboardPage.escape(f.title), String(f.count), DashboardPage.escape(f.topics.prefix(3).joined(separator: ", ")),
             DashboardPage.escape(DashboardPage.timestamp(f.lastSeen)), examples(f.questions)]
        }, numeric: [1])
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

    /// Up to four example questions, as a list.
    static func examples(_ questions: [String]) -> String {
        "<ul class=\"examples\">" + questions.prefix(4).map { "<li>\(DashboardPage.escape($0))</li>" }.joined() + "</ul>"
    }
}

import Charts
import Foundation
import Support

/// `/dashboard`: the learning curve (resolution, escalation and wrong-answer
/// rates by day and by ISO week), escalation by topic and the confidence histograms.
enum DashboardOverview {
    /// Days the page covers.
    static let days = 30

    /// The page, section by section.
    /// - Throws: the store's errors.
    static func page(_ reports: SupportReports, token: String?) throws -> DashboardPage {
        let daily = try reports.resolution(by: .day, days: days)
        let weekly = try reports.resolution(by: .week, days: 84)
        let topics = try reports.topics(days: days)
        let confidence = try reports.confidence(days: days, bins: 10)
        var page = DashboardPage(section: .overview, title: "What the service has learned", token: token)
        page.add(headline(daily.total))
        page.add(learningCurve(daily: daily, weekly: weekly))
        page.add(escalationByTopic(topics))
        page.add(confidenceSection(confidence))
        return page
    }

    /// The headline numbers of the last ``days`` days.
    static func headline(_ total: ReportRow) -> String {
        DashboardPage.cards([
            ("questions, last \(days) days", String(total.tally.asked)),
            ("resolved autonomously", DashboardPage.percent(total.rates.resolution)),
            ("escalated", DashboardPage.percent(total.rates.escalation)),
            ("wrong answers (of answered)", DashboardPage.percent(total.rates.wrong)),
            ("reopened (of resolved)", DashboardPage.percent(total.rates.reopen)),
            ("CSAT (1–5)", DashboardPage.number(total.rates.csat, decimals: 1) + (total.tally.csatCount > 0 ? " (\(total.tally.csatCount))" : "")),
            ("awaiting an outcome", String(total.tally.pending)),
        ])
    }

    /// The rates by day and by ISO week, side by side.
    static func learningCurve(daily: ResolutionReport, weekly: ResolutionReport) -> String {
        "<h2>Learning curve</h2>\n<div class=\"charts\">\n"
            + curve(daily, title: "By day (x: days since \(daily.periods.first?.start ?? ""))", xLabel: "day")
            + curve(weekly, title: "By ISO week (x: weeks since \(weekly.periods.first?.name ?? ""))", xLabel: "week")
            + "</div>\n"
    }

    /// Rates per topic: a chart of the busiest 14 and a table of the busiest 40.
    static func escalationByTopic(_ topics: TopicReport) -> String {
        let out = "<h2>Escalation by topic</h2>\n"
        let shown = Array(topics.topics.prefix(14))
        guard !shown.isEmpty else { return out + DashboardPage.empty("No questions in the last \(days) days.") }
        var chart = SVGBarChart(title: "Rates per topic (last \(days) days)", categories: shown.map(\.name), yLabel: "rate")
        chart.width = 1180
        chart.height = 320
        chart.yFormat = .percent
        chart.yRange = 0...1
        chart.series = [
            SVGBarChart.Series(name: "escalated", values: shown.map(\.rates.escalation), color: "#ff7f0e"),
            SVGBarChart.Series(name: "resolved", values: shown.map(\.rates.resolution), color: "#1f77b4"),
            SVGBarChart.Series(name: "wrong", values: shown.map(\.rates.wrong), color: "#d62728"),
        ]
        return out + "<div class=\"charts\">\(chart.render())</div>\n" + DashboardPage.table(
            ["topic", "asked", "answered", "escalated", "resolved", "reopened", "wrong", "escalation", "resolution", "CSAT"],
            topics.topics.prefix(40).map { row in
                [DashboardPage.escape(row.name), String(row.tally.asked), String(row.tally.answered), String(row.tally.escalated),
                 String(row.tally.resolved), String(row.tally.reopened), String(row.tally.wrong),
                 DashboardPage.percent(row.rates.escalation), DashboardPage.percent(row.rates.resolution),
                 DashboardPage.number(row.rates.csat, decimals: 1)]
            }, numeric: Set(1...9))
    }

    /// The score and lower-bound histograms, overall and for the four busiest topics.
    static func confidenceSection(_ confidence: ConfidenceReport) -> String {
        var out = "<h2>Confidence</h2>\n<p class=\"muted\">How sure the ranker was: P(resolved) of the best candidate "
            + "(<em>score</em>) and its lower bound (<em>lower</em>), which the escalation policy compares with each topic's target.</p>\n"
        guard confidence.overall.count != 0 else { return out + DashboardPage.empty("No answers in the last \(days) days.") }
        out += "<div class=\"charts\">\n"
        out += histogram(confidence.overall, edges: confidence.edges, title: "All topics (\(confidence.overall.count) questions)",
                         width: 580)
        for topic in confidence.topics.prefix(4) {
            out += histogram(topic, edges: confidence.edges, title: "\(topic.topic) (\(topic.count))", width: 580)
        }
        return out + "</div>\n"
    }

    /// Resolution, escalation and wrong-answer rates over the periods of `report`.
    static func curve(_ report: ResolutionReport, title: String, xLabel: String) -> String {
        func series(_ name: String, _ color: String, _ rate: (AnswerRates) -> Double?) -> SVGChart.Series {
            SVGChart.Series(name: name, points: report.periods.enumerated().map { i, row in
                SVGChart.Point(x: Double(i), y: row.tally.asked > 0 ? rate(row.rates) : nil)
            }, color: color)
        }
        var chart = SVGChart(title: title, xLabel: xLabel, yLabel: "rate", series: [
            series("resolved", "#1f77b4") { $0.resolution },
            series("escalated", "#ff7f0e") { $0.escalation },
            series("wrong", "#d62728") { $0.wrong },
        ])
        chart.width = 580
        chart.height = 300
        chart.yFormat = .percent
        chart.yRange = 0...1
        chart.xRange = 0...Double(max(1, report.periods.count - 1))
        return chart.render()
    }

    /// The score and lower-bound histograms of one topic, side by side per bin.
    static func histogram(_ h: ConfidenceReport.Histogram, edges: [Double], title: String, width: Int) -> String {
        let categories = (0..<(edges.count - 1)).map { String(format: "%.1f", edges[$0]) }
        var chart = SVGBarChart(title: title, categories: categories, yLabel: "questions", series: [
            SVGBarChart.Series(name: "score", values: h.score.map(Double.init), color: "#1f77b4"),
            SVGBarChart.Series(name: "lower", values: h.lower.map(Double.init), color: "#9467bd"),
        ])
        chart.width = width
        chart.height = 260
        return chart.render()
    }
}

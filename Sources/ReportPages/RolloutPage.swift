import Charts
import Foundation
import Support

/// The roll-out report as HTML for a support lead: what the helpdesk did before Loopdesk beside
/// day 30, 60 and 90, per topic, as bar charts with their 95 % intervals drawn and as tables.
/// The same sections appear on `/dashboard/rollout`, in `loopdesk report rollout --html` and in
/// the replay's HTML. No scripts, no external resources.
public enum RolloutPage {
    /// Topics drawn in the charts (the busiest; the tables list every topic).
    public static let chartTopics = 10

    /// The sections, for a page that already has its `<body>`.
    public static func sections(_ report: RolloutReport) -> String {
        var html = introduction(report)
        guard !report.checkpoints.isEmpty || report.baseline != nil else { return html }
        for svg in charts(report) { html += "<figure>\n" + svg + "</figure>\n" }
        html += tables(report)
        return html
    }

    /// A whole document holding the sections: what `loopdesk report rollout --html` writes.
    public static func document(_ report: RolloutReport, title: String = "Loopdesk roll-out: before and after") -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; max-width: 72em; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
        td:first-child, th:first-child { text-align: left; }
        figure { margin: 1.5em 0; }
        .note { color: #555; }
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>
        \(sections(report))
        </body>
        </html>

        """
    }

    // MARK: Sections

    static func introduction(_ report: RolloutReport) -> String {
        var html = "<section class=\"rollout-intro\">\n"
        if let deployed = report.deployedAt {
            let how = report.deployedAtSource == .firstLiveAnswer ? "its first live answer" : "the date set for it"
            html += "<p>Loopdesk went live on <strong>\(day(deployed))</strong> (\(how)). "
            let reached = report.checkpoints.map { "day \($0.day)" }
            html += reached.isEmpty
                ? "No checkpoint is reached yet: day 30 is \(day(deployed.addingTimeInterval(30 * 86_400))).</p>\n"
                : "Checkpoints reached: \(reached.joined(separator: ", ")). Each covers the 30 days that end on it.</p>\n"
        } else {
            html += "<p>Loopdesk has not answered anyone live yet, so there is nothing to compare. Topics in shadow "
                + "are judged on the topics page; the first live answer starts the clock.</p>\n"
        }
        if let baseline = report.baseline {
            let tickets = baseline.topics.reduce(0) { $0 + $1.tickets }
            var span = ""
            if let first = baseline.firstTicketAt, let last = baseline.lastTicketAt { span = ", \(day(first)) to \(day(last))" }
            html += "<p>Before: \(tickets) tickets from the \(escape(baseline.source)) baseline\(span).</p>\n"
        } else {
            html += "<p>No baseline yet. Import the helpdesk's tickets from before the roll-out with "
                + "<code>loopdesk baseline import FILE --format zendesk</code> (or freshdesk, intercom, csv).</p>\n"
        }
        html += "<p class=\"note\">Bars are rates; the black whiskers show where the true rate lies with 95 % confidence. "
            + "Where two whiskers overlap, the difference may be chance. \"Resolved\" before means solved by an agent and not "
            + "reopened; after, answered by Loopdesk and not reopened or corrected.</p>\n</section>\n"
        return html
    }

    /// Resolution (before vs each checkpoint), wrong answers and reopens per topic.
    static func charts(_ report: RolloutReport) -> [String] {
        let topics = chartedTopics(report)
        guard !topics.isEmpty else { return [] }
        let categories = topics + ["all topics"]
        let colors = ["#1f77b4", "#2ca02c", "#9467bd"]
        func checkpointSeries(_ rate: (RolloutTopicFigures) -> RolloutRate) -> [SVGBarChart.Series] {
            report.checkpoints.enumerated().map { i, checkpoint in
                let rows = topics.map { topic in checkpoint.topics.first { $0.topic == topic }.map(rate) } + [rate(checkpoint.total)]
                return SVGBarChart.Series(name: "day \(checkpoint.day)", values: rows.map { $0?.value },
                                          color: colors[i % colors.count], intervals: rows.map { $0?.interval.map(range) })
            }
        }
        var before: [SVGBarChart.Series] = []
        var reopenBefore: [SVGBarChart.Series] = []
        if let baseline = report.baseline {
            let total = baselineTotal(baseline)
            let rows = topics.map { topic in baseline.topics.first { $0.topic == topic } } + [total]
            before = [SVGBarChart.Series(name: "before", values: rows.map { $0?.resolution.value }, color: "#7f7f7f",
                                         intervals: rows.map { $0?.resolution.interval.map(range) })]
            reopenBefore = [SVGBarChart.Series(name: "before", values: rows.map { $0?.reopen.value }, color: "#7f7f7f",
                                               intervals: rows.map { $0?.reopen.interval.map(range) })]
        }
        func chart(_ title: String, _ series: [SVGBarChart.Series]) -> String {
            var chart = SVGBarChart(title: title, categories: categories, yLabel: "rate", series: series)
            chart.yFormat = .percent
            chart.width = 760
            return chart.render()
        }
        var charts = [chart("Resolved (before: by agents; after: by Loopdesk alone)", before + checkpointSeries(\.autonomousResolution))]
        if !report.checkpoints.isEmpty {
            charts.append(chart("Wrong answers (of Loopdesk's answers)", checkpointSeries(\.wrongAnswer)))
        }
        charts.append(chart("Reopened (of resolutions)", reopenBefore + checkpointSeries(\.reopen)))
        return charts
    }

    /// The baseline table, then one table per checkpoint.
    static func tables(_ report: RolloutReport) -> String {
        var html = ""
        if let baseline = report.baseline {
            html += "<h2>Before</h2>\n"
            html += table(["topic", "tickets", "resolved", "reopened", "CSAT", "median first reply", "median resolution"],
                          (baseline.topics + [baselineTotal(baseline)]).map { t in
                              [escape(t.topic), "\(t.tickets)", rate(t.resolution), rate(t.reopen), rate(t.csat),
                               duration(t.medianFirstReplySeconds), duration(t.medianResolutionSeconds)]
                          })
        }
        for checkpoint in report.checkpoints {
            html += "<h2>Day \(checkpoint.day) <small>(\(day(checkpoint.since)) to \(day(checkpoint.until.addingTimeInterval(-1))))</small></h2>\n"
            html += table(["topic", "mode", "tickets", "resolved by Loopdesk", "escalated", "wrong answers", "reopened", "CSAT",
                           "median resolution"],
                          (checkpoint.topics + [checkpoint.total]).map { t in
                              [escape(t.topic), t.topic == "total" ? "" : t.mode.rawValue, "\(t.tickets)", rate(t.autonomousResolution),
                               rate(t.escalation), rate(t.wrongAnswer), rate(t.reopen), rate(t.csat), duration(t.medianResolutionSeconds)]
                          })
        }
        return html
    }

    // MARK: Pieces

    /// The busiest topics across the baseline and the checkpoints.
    static func chartedTopics(_ report: RolloutReport) -> [String] {
        var tickets: [String: Int] = [:]
        for topic in report.baseline?.topics ?? [] { tickets[topic.topic, default: 0] += topic.tickets }
        for checkpoint in report.checkpoints {
            for topic in checkpoint.topics { tickets[topic.topic, default: 0] += topic.tickets }
        }
        return tickets.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(chartTopics).map(\.key)
    }

    /// Every baseline topic together.
    static func baselineTotal(_ baseline: RolloutBaseline) -> BaselineTopic {
        baseline.topics.reduce(into: BaselineTopic(topic: "total", tickets: 0, solved: 0, resolved: 0, reopened: 0)) { total, t in
            total.tickets += t.tickets
            total.solved += t.solved
            total.resolved += t.resolved
            total.reopened += t.reopened
            total.csatCount += t.csatCount
            total.csatSatisfied += t.csatSatisfied
        }
    }

    static func range(_ interval: WilsonInterval) -> ClosedRange<Double> { interval.lower...interval.upper }

    /// `41.2 % (37.0–45.5)`, or `–` without a denominator.
    static func rate(_ rate: RolloutRate) -> String {
        guard let value = rate.value, let interval = rate.interval else { return "–" }
        return String(format: "%.1f %% <small>(%.1f–%.1f, n %d)</small>", value * 100, interval.lower * 100, interval.upper * 100, rate.of)
    }

    /// `3 h 20 min`, `45 s`, or `–`.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        if seconds < 90 { return String(format: "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
        if seconds < 3 * 86_400 { return String(format: "%.1f h", seconds / 3600) }
        return String(format: "%.1f days", seconds / 86_400)
    }

    static func day(_ date: Date) -> String { SupportReports.dayLabel(date) }

    static func escape(_ text: String) -> String { SVGChart.escape(text) }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var html = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return html + "</table>\n"
    }
}

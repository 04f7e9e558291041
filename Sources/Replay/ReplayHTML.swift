import Charts
import ReportPages
import Support

/// The replay report as one self-contained HTML page: the summary table and
/// weekly line charts (``SVGChart``) of learning against the baseline. No
/// scripts, no external resources: it opens from disk anywhere.
public enum ReplayHTML {
    /// The page for `report`.
    /// - Parameter title: the page's heading.
    /// - Returns: the whole document, `<!DOCTYPE html>` to `</html>`.
    public static func page(_ report: ReplayReport, title: String = "Loopdesk replay") -> String {
        var html = head(title: title) + summaryTable(report) + frontierTable(report)
        for svg in charts(report) { html += "<figure>\n" + svg + "</figure>\n" }
        if let rollout = report.rollout {
            html += "<h2>Roll-out: before and after</h2>\n<p>The replay's day 0 is the deployment; \"before\" is the "
                + "learning-off baseline's first 30 days.</p>\n" + RolloutPage.sections(rollout)
        }
        html += "</body>\n</html>\n"
        return html
    }

    /// The document up to the page's heading, with the page's few styles.
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(SVGChart.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
        td:first-child, th:first-child { text-align: left; }
        figure { margin: 1.5em 0; }
        </style>
        </head>
        <body>
        <h1>\(SVGChart.escape(title))</h1>

        """
    }

    /// The summary window's rates, learning against the baseline.
    static func summaryTable(_ report: ReplayReport) -> String {
        let s = report.summary
        func row(_ name: String, _ learning: Double?, _ baseline: Double?) -> String {
            "<tr><td>\(SVGChart.escape(name))</td><td>\(ReplayReport.percent(learning))</td><td>\(ReplayReport.percent(baseline))</td></tr>"
        }
        var html = """
        <p>\(report.days) simulated days; the summary covers days \(s.fromDay)–\(s.toDay).</p>
        <table>
        <tr><th>last \(s.toDay - s.fromDay + 1) days</th><th>learning</th><th>baseline</th></tr>

        """
        html += row("autonomous resolution", s.learning.resolutionRate, s.baseline?.resolutionRate) + "\n"
        html += row("wrong answers", s.learning.wrongAnswerRate, s.baseline?.wrongAnswerRate) + "\n"
        html += row("escalation", s.learning.escalationRate, s.baseline?.escalationRate) + "\n"
        html += row("out-of-scope answered", s.learning.outOfScopeAnsweredRate, s.baseline?.outOfScopeAnsweredRate) + "\n"
        html += row("oracle ceiling", s.learning.oracleResolutionRate, nil) + "\n"
        html += row("gap detection precision", s.gapDetectionPrecision, nil) + "\n"
        html += "<tr><td>gap detection, median questions</td><td>\(s.gapDetectionMedianQuestions.map { String(format: "%.1f", $0) } ?? "n/a")</td><td></td></tr>\n"
        html += "</table>\n"
        return html
    }

    /// With `--frontier`: what each wrong-answer target buys, for choosing one; empty without.
    static func frontierTable(_ report: ReplayReport) -> String {
        guard !report.frontier.isEmpty else { return "" }
        let s = report.summary
        var html = "<h2>Choosing the wrong-answer target</h2>\n<p>The learning system run again at each target "
            + "(<code>--target-wrong-rate</code>), days \(s.fromDay)–\(s.toDay): a lower target escalates more.</p>\n<table>\n"
            + "<tr><th>target</th><th>resolution</th><th>wrong answers</th><th>out-of-scope answered</th></tr>\n"
        for point in report.frontier {
            html += "<tr><td>\(ReplayReport.percent(point.target))</td><td>\(ReplayReport.percent(point.rates.resolutionRate))</td>"
                + "<td>\(ReplayReport.percent(point.rates.wrongAnswerRate))</td><td>\(ReplayReport.percent(point.rates.outOfScopeAnsweredRate))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The weekly charts: resolution, wrong answers and escalation of both runs, then gap
    /// detection and the released labels when the run has them.
    static func charts(_ report: ReplayReport) -> [String] {
        let weeks = report.weeks
        func series(_ name: String, color: String, dashed: Bool = false, _ rate: (ReplayReport.Week) -> Double?) -> SVGChart.Series {
            SVGChart.Series(name: name, points: weeks.map { SVGChart.Point(x: Double($0.week), y: rate($0)) },
                            color: color, dashed: dashed)
        }
        let hasBaseline = report.summary.baseline != nil
        func baseline(_ name: String = "baseline", dashed: Bool = false, _ rate: @escaping (ReplayReport.Week) -> Double?) -> [SVGChart.Series] {
            hasBaseline ? [series(name, color: "#7f7f7f", dashed: dashed, rate)] : []
        }
        var charts = [
            weeklyChart("Autonomous resolution (of in-scope questions)",
                        [series("learning", color: "#1f77b4") { $0.learning.resolutionRate }]
                            + baseline { $0.baseline?.resolutionRate }
                            + [series("oracle", color: "#2ca02c", dashed: true) { $0.learning.oracleResolutionRate }]),
            weeklyChart("Wrong answers (of answered)",
                        [series("learning", color: "#d62728") { $0.learning.wrongAnswerRate }] + baseline { $0.baseline?.wrongAnswerRate },
                        fitToData: true),
            weeklyChart("Escalation (of all questions)",
                        [series("learning", color: "#ff7f0e") { $0.learning.escalationRate }] + baseline { $0.baseline?.escalationRate }),
        ]
        if weeks.contains(where: { $0.gapDetectionPrecision != nil }) {
            charts.append(weeklyChart("Gap detection precision (of questions in flagged gaps)",
                                      [series("learning", color: "#8c564b") { $0.gapDetectionPrecision }]))
        }
        if !report.releasedLabels.isEmpty {
            charts.append(weeklyChart("Resolution: released labels vs the rest",
                                      [series("released labels", color: "#9467bd") { $0.released?.resolutionRate },
                                       series("other labels", color: "#1f77b4") { $0.others?.resolutionRate }]
                                          + baseline("baseline, released", dashed: true) { $0.baselineReleased?.resolutionRate }))
        }
        return charts
    }

    /// A rate chart over the simulated weeks, 0–100 %; `fitToData`: from 0 to the highest rate,
    /// so that rates of a few percent (wrong answers) are not flattened.
    static func weeklyChart(_ title: String, _ lines: [SVGChart.Series], fitToData: Bool = false) -> String {
        var chart = SVGChart(title: title, xLabel: "simulated week", yLabel: "rate", series: lines)
        chart.yFormat = .percent
        let highest = lines.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite).max() ?? 0
        chart.yRange = fitToData ? 0...max(0.01, highest) : 0...1
        return chart.render()
    }
}

import Foundation

extension ReplayReport {
    /// The summary and the weekly curve as Markdown tables (what `loopdesk replay` prints).
    public func markdown() -> String {
        let s = summary
        var lines = [
            "Last \(s.toDay - s.fromDay + 1) simulated days (days \(s.fromDay)–\(s.toDay)):",
            "",
            "| metric | learning | baseline | oracle |",
            "| --- | ---: | ---: | ---: |",
            "| autonomous resolution (of in-scope) | \(Self.percent(s.learning.resolutionRate)) | \(Self.percent(s.baseline?.resolutionRate)) | \(Self.percent(s.learning.oracleResolutionRate)) |",
            "| wrong answers (of answered) | \(Self.percent(s.learning.wrongAnswerRate)) | \(Self.percent(s.baseline?.wrongAnswerRate)) | 0.0 % |",
            "| escalation (of all) | \(Self.percent(s.learning.escalationRate)) | \(Self.percent(s.baseline?.escalationRate)) | |",
            "| out-of-scope answered | \(Self.percent(s.learning.outOfScopeAnsweredRate)) | \(Self.percent(s.baseline?.outOfScopeAnsweredRate)) | 0.0 % |",
            "| gap detection, median questions | \(s.gapDetectionMedianQuestions.map { String(format: "%.1f", $0) } ?? "n/a") | | |",
            "| tickets | \(s.learning.tickets) | \(s.baseline.map { "\($0.tickets)" } ?? "") | |",
            "",
            "| week | days | resolution | wrong | escalation | oos answered | baseline resolution | baseline wrong | oracle |"
                + (releasedLabels.isEmpty ? "" : " released labels | other labels |"),
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (releasedLabels.isEmpty ? "" : " ---: | ---: |"),
        ]
        for w in weeks {
            var row = "| \(w.week) | \(w.fromDay)–\(w.toDay) | \(Self.percent(w.learning.resolutionRate)) | "
                + "\(Self.percent(w.learning.wrongAnswerRate)) | \(Self.percent(w.learning.escalationRate)) | "
                + "\(Self.percent(w.learning.outOfScopeAnsweredRate)) | \(Self.percent(w.baseline?.resolutionRate)) | "
                + "\(Self.percent(w.baseline?.wrongAnswerRate)) | \(Self.percent(w.learning.oracleResolutionRate)) |"
            if !releasedLabels.isEmpty {
                row += " \(Self.percent(w.released?.resolutionRate)) | \(Self.percent(w.others?.resolutionRate)) |"
            }
            lines.append(row)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `12.3 %`, or `n/a` for an unknown rate.
    static func percent(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "n/a" }
        return String(format: "%.1f %%", rate * 100)
    }
}

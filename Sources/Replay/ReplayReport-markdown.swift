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
            "| gap detection, precision | \(Self.percent(s.gapDetectionPrecision)) | | |",
            "| labels without an article flagged (≤ 10 questions) | \(s.gapLabels.map { $0 == 0 ? "none lacked one" : "\(s.gapLabelsFlagged ?? 0) of \($0) (\(s.gapLabelsFlaggedWithin10 ?? 0))" } ?? "n/a") | | |",
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
        if !releasedLabels.isEmpty {
            lines += ["", "| released label | release day | questions before gap flag | flagged on day | resolution (last \(s.toDay - s.fromDay + 1) days) |",
                      "| --- | ---: | ---: | ---: | ---: |"]
            for label in releasedLabels {
                lines.append("| \(label.label) | \(label.releaseDay) | \(label.questionsBeforeGapFlag.map(String.init) ?? "never") | "
                    + "\(label.gapFlaggedDay.map(String.init) ?? "") | \(Self.percent(label.summary.resolutionRate)) |")
            }
        }
        if !frontier.isEmpty {
            lines += ["", "Frontier (the learning system run at each wrong-answer target, days \(s.fromDay)–\(s.toDay)):", "",
                      "| target | resolution | wrong | out-of-scope answered | answered |", "| ---: | ---: | ---: | ---: | ---: |"]
            for point in frontier {
                lines.append("| \(Self.percent(point.target)) | \(Self.percent(point.rates.resolutionRate)) | "
                    + "\(Self.percent(point.rates.wrongAnswerRate)) | \(Self.percent(point.rates.outOfScopeAnsweredRate)) | \(point.rates.answered) |")
            }
        }
        lines += calibrationMarkdown
        return lines.joined(separator: "\n") + "\n"
    }

    /// The calibration table: per score bin, its questions, mean score and how often the candidate was right.
    private var calibrationMarkdown: [String] {
        let c = calibration, s = summary
        guard c.questions > 0 else { return [] }
        let number: (Double?) -> String = { $0.map { String(format: "%.3f", $0) } ?? "n/a" }
        var lines = ["", "Calibration of P(resolved), days \(s.fromDay)–\(s.toDay) (\(c.questions) questions with a candidate): "
                     + "expected calibration error \(number(c.expectedCalibrationError)), AUC of the score "
                     + "\(number(c.scoreAUC)), of its lower bound \(number(c.lowerAUC)).", "",
                     "| score | questions | mean score | candidate right |", "| --- | ---: | ---: | ---: |"]
        for bin in c.bins where bin.questions > 0 {
            lines.append("| \(String(format: "%.1f–%.1f", bin.from, bin.to)) | \(bin.questions) | "
                + "\(Self.percent(bin.meanScore)) | \(Self.percent(bin.rightRate)) |")
        }
        return lines
    }

    /// `12.3 %`, or `n/a` for an unknown rate.
    static func percent(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "n/a" }
        return String(format: "%.1f %%", rate * 100)
    }
}

import Foundation
import ReportPages
import Support

/// `/dashboard/rollout`: the topics with their modes, live and shadow figures side by side and
/// the suggestion to go live, then the roll-out report (``RolloutPage``): before vs day 30/60/90.
enum DashboardRollout {
    /// The page.
    /// - Throws: the store's errors.
    static func page(_ service: SupportService, token: String?) throws -> DashboardPage {
        var page = DashboardPage(section: .rollout, title: "Roll-out: before and after", token: token)
        page.add(topicTable(try service.topics()))
        page.add(RolloutPage.sections(try service.rolloutReport()))
        return page
    }

    /// One row per topic: mode, threshold, live figures, shadow figures and the suggestion.
    static func topicTable(_ topics: [TopicSummary]) -> String {
        guard !topics.isEmpty else { return DashboardPage.empty("No topics yet: publish articles, and their categories become topics.") }
        let rows = topics.map { t -> [String] in
            let f = t.figures
            let mode = t.mode.rawValue + (t.modeSet ? "" : " (default)")
            let suggestion = t.suggestLive ? "<strong>suggest live</strong>" : ""
            let upper = t.shadowWrongUpper.map { DashboardPage.percent($0) } ?? "–"
            return [DashboardPage.escape(t.topic), mode, String(format: "%.3f", t.threshold) + " (\(t.rule.rawValue))", "\(t.judged)",
                    "\(f.answered)", "\(f.right)", "\(f.wrong)", "\(f.escalated)",
                    "\(f.wouldAnswer)", "\(f.wouldBeRight)", "\(f.wouldBeWrong)", "\(f.rightlyEscalated)", upper, suggestion]
        }
        return "<h2>Topics</h2>\n<p>Set a mode with <code>loopdesk topics set TOPIC live|shadow|off</code>. "
            + "A shadow topic is suggested for live once enough of its would-be answers were judged and the upper end of "
            + "their wrong rate's 95 % interval is under the target.</p>\n"
            + DashboardPage.table(["topic", "mode", "threshold (rule)", "judged", "live: answered", "right", "wrong", "escalated",
                                   "shadow: would answer", "would be right", "would be wrong", "rightly escalated",
                                   "would-be wrong, upper 95 %", ""], rows, numeric: Set(3...12))
    }
}

import Foundation

/// Decides what Loopdesk writes on a helpdesk ticket after asking itself the customer's
/// question — the one place where an answer becomes something a customer can see:
///
/// | the topic's mode | the decision | written |
/// | --- | --- | --- |
/// | live | answer (with a passage) | a **public reply**: the passage, and the article it comes from |
/// | live | escalate | an **internal note**: the suggested passage, the cited article and the confidence, and why it escalated |
/// | shadow | either | an **internal note**, saying what live would have done |
/// | off | — | nothing |
///
/// A note without a candidate says so, so agents know Loopdesk saw the ticket. Nothing a
/// customer receives comes from anywhere but a published article's passage.
public enum HelpdeskReplyPlan {
    /// The comment to write for `response` on `ticketID`, or nil for none.
    public static func comment(for response: AskResponse, ticketID: String) -> HelpdeskComment? {
        switch response.mode {
        case .off:
            return nil
        case .live where response.decision == .answer && !response.answer.isEmpty:
            var body = response.answer
            if let article = response.article { body += "\n\n(From our help article \"\(article.title)\".)" }
            return HelpdeskComment(ticketID: ticketID, visibility: .publicReply, body: body)
        case .live, .shadow:
            return HelpdeskComment(ticketID: ticketID, visibility: .internalNote, body: note(for: response))
        }
    }

    /// The internal note: what Loopdesk suggests and how sure it is.
    static func note(for response: AskResponse) -> String {
        let confidence = "confidence \(NumberText.probability(response.score)) (lower bound \(NumberText.probability(response.lower)), "
            + "needed \(NumberText.probability(response.threshold)))"
        var lines: [String] = []
        switch response.mode {
        case .shadow:
            let would = response.shadowDecision == .answer ? "answered the customer with it" : "escalated"
            lines.append("Loopdesk suggestion (topic in shadow mode: live, Loopdesk would have \(would)); \(confidence).")
        default:
            lines.append("Loopdesk suggestion, not sent to the customer: escalated, \(confidence).")
        }
        lines.append("Why: \(response.reason)")
        if let article = response.article, !response.answer.isEmpty {
            lines.append("Article: \(article.title) (\(article.id))")
            lines.append("")
            lines.append(response.answer)
        } else {
            lines.append("No article matches this question.")
        }
        return lines.joined(separator: "\n")
    }
}

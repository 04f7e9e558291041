/// Picks an article's passage that answers a question: the answer is
/// extractive — the article's own words, cited — never generated text.
enum PassageExtractor {
    /// Longest passage returned, in characters (a longer paragraph is cut at a sentence end).
    static let maxCharacters = 700

    /// The paragraph of `article` sharing the most content words with `question`
    /// (each title word the paragraph contains adds 0.05, so they only break ties between
    /// paragraphs), the first paragraph on a remaining tie; the title
    /// when the body is empty.
    static func passage(for question: String, in article: Article) -> String {
        let paragraphs = article.body
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !paragraphs.isEmpty else { return article.title }
        let wanted = Set(TextTokens.words(question))
        let titleWords = Set(TextTokens.words(article.title))
        var best = paragraphs[0]
        var bestScore = -1.0
        for paragraph in paragraphs {
            let words = Set(TextTokens.words(paragraph))
            let score = Double(words.intersection(wanted).count) + 0.5 * Double(words.intersection(titleWords).count) * 0.1
            if score > bestScore {
                bestScore = score
                best = paragraph
            }
        }
        return trimmed(best)
    }

    static func trimmed(_ text: String) -> String {
        guard text.count > maxCharacters else { return text }
        let head = text.prefix(maxCharacters)
        if let end = head.lastIndex(where: { $0 == "." || $0 == "!" || $0 == "?" }), head.distance(from: head.startIndex, to: end) > 100 {
            return String(head[...end])
        }
        return String(head) + "…"
    }
}

import Foundation

/// The way customers phrase a question drifts during the run
/// (`--paraphrase-drift`), using only the data set's own human paraphrases.
///
/// For each label, its **keyword** is the content word most of its questions
/// use (by how many questions contain it; ties to the alphabetically first).
/// Each label keeps its arrival days, but its questions are handed out to them
/// so that the ones with the keyword come first and the ones without it last:
/// early on customers say "freeze my card", by the end "stop anyone using it".
/// Volume per label and per day is unchanged; what the service learned from
/// the first weeks' phrasings covers the last weeks' less. Out-of-scope
/// questions keep their order (they have no common word).
///
/// Deterministic — no seed is needed — and independent of the embedder.
public enum ParaphraseDrift {
    /// Words never chosen as a keyword: the function words of English questions.
    static let stopwords: Set<String> = [
        "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
        "did", "do", "does", "for", "from", "get", "give", "had", "has", "have", "help", "how", "i", "if", "in", "is",
        "it", "its", "just", "know", "let", "like", "me", "might", "my", "need", "no", "not", "now", "of", "on",
        "or", "please", "should", "so", "some", "tell", "that", "the", "their", "them", "there", "this", "to", "up",
        "us", "want", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
        "your",
    ]

    /// The lower-cased words of a text: runs of letters, digits and apostrophes.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'") }.map(String.init)
    }

    /// The label's keyword: the non-stopword of at least three characters that the most
    /// texts contain; nil when no text has one.
    static func keyword(of texts: [String]) -> String? {
        var documents: [String: Int] = [:]
        for text in texts {
            for word in Set(words(text)) where word.count >= 3 && !stopwords.contains(word) { documents[word, default: 0] += 1 }
        }
        return documents.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The arrival days with each label's questions re-dealt: keyword-using ones first.
    /// - Parameters:
    ///   - labels: each ticket's label, in data set order.
    ///   - texts: each ticket's text.
    ///   - arrival: each ticket's arrival day.
    ///   - outOfScopeLabel: the label left as it is.
    /// - Returns: the new arrival day of each ticket; every label keeps the same multiset of days.
    static func redeal(labels: [String], texts: [String], arrival: [Int], outOfScopeLabel: String) -> [Int] {
        var byLabel: [String: [Int]] = [:]
        for (i, label) in labels.enumerated() where label != outOfScopeLabel { byLabel[label, default: []].append(i) }
        var result = arrival
        for tickets in byLabel.values {
            guard let keyword = keyword(of: tickets.map { texts[$0] }) else { continue }
            let slots = tickets.map { arrival[$0] }.sorted()
            let uses = Dictionary(uniqueKeysWithValues: tickets.map { ($0, words(texts[$0]).contains(keyword)) })
            let dealt = tickets.sorted { a, b in
                uses[a]! != uses[b]! ? uses[a]! : (arrival[a], a) < (arrival[b], b)
            }
            for (ticket, day) in zip(dealt, slots) { result[ticket] = day }
        }
        return result
    }
}

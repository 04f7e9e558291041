import Foundation

/// A cluster's suggested title: its most telling terms, by TF-IDF.
///
/// A term's weight is the number of the cluster's questions that use it times
/// its inverse document frequency over a background corpus (the knowledge
/// base's articles and the service's recent questions), so words every
/// question uses ("account", "app") give way to the ones that name the
/// missing topic ("invoice", "pdf", "export").
public struct GapTitler: Sendable {
    /// Documents of the background corpus containing each term (lower-cased and stemmed, stop words left out).
    public var documentFrequency: [String: Int]
    /// Documents in the background corpus.
    public var documents: Int
    /// Terms in a title.
    public var terms = 4

    /// A titler over a counted background corpus; empty, every term weighs the same.
    public init(documentFrequency: [String: Int] = [:], documents: Int = 0) {
        self.documentFrequency = documentFrequency
        self.documents = documents
    }

    /// A background built from texts (each text one document).
    public init(background texts: [String]) {
        var df: [String: Int] = [:]
        for text in texts { for term in Set(TextTokens.words(text)) { df[term, default: 0] += 1 } }
        self.init(documentFrequency: df, documents: texts.count)
    }

    /// The title for a cluster's questions: up to ``terms`` terms, best first, the
    /// first capitalised ("Invoice pdf export"); "Untitled" when no question has a content word.
    public func title(for questions: [String]) -> String {
        let top = topTerms(questions)
        guard let first = top.first else { return "Untitled" }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + top.dropFirst()).joined(separator: " ")
    }

    /// The cluster's terms by weight, best first. A term must appear in two questions
    /// when the cluster has three or more (one customer's odd word is not the topic).
    public func topTerms(_ questions: [String]) -> [String] {
        var tf: [String: Int] = [:]
        var firstSeen: [String: Int] = [:]
        var order = 0
        for question in questions {
            for term in Set(TextTokens.words(question)) where term.count > 1 {
                tf[term, default: 0] += 1
            }
            for term in TextTokens.words(question) where firstSeen[term] == nil {
                firstSeen[term] = order
                order += 1
            }
        }
        let minimum = questions.count >= 3 ? 2 : 1
        let n = Double(documents + questions.count)
        let weighted = tf.filter { $0.value >= minimum }.map { term, count -> (String, Double) in
            let df = Double(documentFrequency[term, default: 0] + count)
            return (term, Double(count) * (log((n + 1) / (df + 1)) + 1))
        }
        return weighted.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : firstSeen[$0.0, default: 0] < firstSeen[$1.0, default: 0] }
            .prefix(terms).map(\.0)
    }
}
